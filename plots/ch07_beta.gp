# ch07_beta.gp -- the sum-versus-mean pitfall: a reconstruction averaged
# over the 784 pixels beside a summed KL weighs the KL 784 times as much,
# the same as --beta 784. KL per latent dimension for beta = 1, 4 and
# 784, and the samples of the beta = 784 run (copied for the book).
# run: ./ch07_vae --iw 100 --out out/ch07_vae_beta1
# run: ./ch07_vae --beta 4 --iw 100 --out out/ch07_vae_beta4
# run: ./ch07_vae --beta 784 --iw 100 --out out/ch07_vae_beta784
# run: cp out/ch07_vae_beta784/samples.png plots/ch07_samples_beta784.png
set terminal pngcairo size 800,400 font ",11"
set output "plots/ch07_beta.png"
set datafile separator "\t"
set xlabel "latent dimension"
set ylabel "KL(q(z_j|x) || N(0,1)), nats, test average"
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.8 border -1
set boxwidth 0.9
set key top right
set grid ytics
set yrange [0:2.5]
plot "out/ch07_vae_beta1/latent_dims.tsv" using 2:xtic(1) title "beta = 1", \
     "out/ch07_vae_beta4/latent_dims.tsv" using 2 title "beta = 4", \
     "out/ch07_vae_beta784/latent_dims.tsv" using 2 title "beta = 784 (all 0)"
