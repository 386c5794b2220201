# ch07_loss.gp -- the default run of ch07_vae: train and test -ELBO per
# epoch, split into reconstruction and KL; and the default run's pictures
# (samples from the prior, reconstructions, interpolations, traversals)
# copied next to the figures the book shows.
# run: ./ch07_vae
# run: cp out/ch07_vae/samples.png plots/ch07_samples.png
# run: cp out/ch07_vae/reconstructions.png plots/ch07_reconstructions.png
# run: cp out/ch07_vae/interpolation.png plots/ch07_interpolation.png
# run: cp out/ch07_vae/traversal.png plots/ch07_traversal.png
set terminal pngcairo size 800,480 font ",11"
set output "plots/ch07_loss.png"
set datafile separator "\t"
set xlabel "epoch"
set ylabel "nats per image"
set y2label "KL, nats per image"
set ytics nomirror
set y2tics
set yrange [80:220]
set y2range [0:35]
set key right center
set grid
plot "out/ch07_vae/loss.tsv" using 1:2 with linespoints lw 2 pt 7 ps 0.6 title "train -ELBO", \
     "" using 1:5 with linespoints lw 2 pt 7 ps 0.6 title "test -ELBO", \
     "" using 1:6 with lines lw 2 dashtype 2 title "test reconstruction", \
     "" using 1:7 axes x1y2 with lines lw 2 dashtype 3 title "test KL (right axis)"
