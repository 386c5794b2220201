# ch08_cvae.gp -- chapter 8's figures: conditional accuracy (8.6) and the
# test -ELBO against latent size, one line per prior temperature (8.7),
# for the chapter's training and for chapter 7's; the digits an
# unconditional VAE draws beside those of the CVAE and of the test set;
# and the program's own pictures, copied next to them.
# run: ./ch08_cvae --contrast --sweep
# run: ./ch08_cvae --batch 128 --lr 1e-3 --epochs 20 --sweep --contrast --classifier out/ch08_cvae/classifier.bin --out out/ch08_cvae/ch07-training
# run: ./ch08_cvae --cond half --out out/ch08_cvae/half
# run: cp out/ch08_cvae/generated.png plots/ch08_generated.png
# run: cp out/ch08_cvae/style.png plots/ch08_style.png
# run: cp out/ch08_cvae/half/completions.png plots/ch08_completions.png
set datafile separator "\t"
set datafile columnheaders
sweep = "out/ch08_cvae/sweep.tsv"
old = "out/ch08_cvae/ch07-training/sweep.tsv"
array temp[4] = [1, 0.75, 0.5, 0.25]   # as --temperatures lists them
array colour[4] = ["#08306b", "#2171b5", "#6baed6", "#9ecae1"]

set terminal pngcairo size 1000,420 font ",11"
set output "plots/ch08_sweep.png"
set multiplot layout 1,2
set logscale x 2
set xtics ("2" 2, "4" 4, "8" 8, "20" 20)
set xrange [1.7:24]
set xlabel "latent dimensions"
set grid
set ylabel "conditional accuracy (8.6)"
set yrange [0.3:1.02]
set key bottom left title "temperature T"
# the rows run through the four temperatures for each latent size
plot for [i=1:4] sweep using 1:4 every 4::(i - 1) \
         with linespoints lw 2 pt 7 ps 0.7 lc rgb colour[i] \
         title sprintf("%g", temp[i]), \
     old using 1:4 every 4::0 with linespoints lw 2 dt 2 pt 6 \
         ps 0.8 lc rgb "#d62728" title "1, chapter 7's training"
set ylabel "test -ELBO, nats per image"
set yrange [100:145]
set key top right title ""
plot sweep using 1:3 every 4::0 with linespoints lw 2 pt 7 \
         ps 0.7 lc rgb "#08306b" title "30 epochs, batch 64, lr 2e-3", \
     old using 1:3 every 4::0 with linespoints lw 2 dt 2 pt 6 \
         ps 0.8 lc rgb "#d62728" title "20 epochs, batch 128, lr 1e-3"
unset multiplot

set terminal pngcairo size 800,420 font ",11"
set output "plots/ch08_histogram.png"
unset logscale x
set xtics autofreq
set xrange [-0.6:9.6]
set xtics 0,1,9
set yrange [0:0.25]
set xlabel "digit, as the judge reads it"
set ylabel "share of the samples"
set key top left title ""
set style fill solid 0.8 border -1
set boxwidth 0.27
hist = "out/ch08_cvae/histogram.tsv"
plot hist using ($1 - 0.28):2 with boxes lc rgb "#d62728" \
         title "unconditional VAE, 1000 draws from the prior", \
     hist using 1:3 with boxes lc rgb "#08306b" \
         title "CVAE, 100 asked of each digit, as judged", \
     hist using ($1 + 0.28):4 with boxes lc rgb "#bdbdbd" \
         title "test set, true labels"
