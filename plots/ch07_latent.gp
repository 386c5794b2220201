# ch07_latent.gp -- a VAE with a 2-D latent space: the posterior means of
# the 2000 test digits coloured by digit, beside the decoder's manifold
# (the decoder over a grid of normal quantiles) that the run writes.
# run: ./ch07_vae --latent 2 --iw 100 --out out/ch07_vae_latent2
# run: cp out/ch07_vae_latent2/manifold.png plots/ch07_manifold.png
set terminal pngcairo size 720,640 font ",11"
set output "plots/ch07_latent.png"
set datafile separator "\t"
set xlabel "z_1 (posterior mean)"
set ylabel "z_2 (posterior mean)"
set size ratio -1
set xrange [-4:4]
set yrange [-4:4]
set palette maxcolors 10
set palette defined (0 "#1f77b4", 1 "#ff7f0e", 2 "#2ca02c", 3 "#d62728", \
    4 "#9467bd", 5 "#8c564b", 6 "#e377c2", 7 "#7f7f7f", 8 "#bcbd22", \
    9 "#17becf")
set cbrange [-0.5:9.5]
set cbtics 0,1,9
set cblabel "digit"
set grid
unset key
plot "out/ch07_vae_latent2/latent.tsv" using 1:2:3 with points pt 7 ps 0.5 lc palette
