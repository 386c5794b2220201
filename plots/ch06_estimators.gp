# ch06_estimators.gp -- p(x=1) of the latent model by naive Monte Carlo
# (6.11, z from the prior) and by importance sampling (6.12, z from the
# Laplace q), 200 repeats at each number of draws: median and the 10-90%
# range of estimate / p(x), p(x) from quadrature.
# run: ./ch06_gmm
set terminal pngcairo size 900,480 font "Sans,11"
set output "plots/ch06_estimators.png"
set datafile separator "\t"
set datafile columnheaders
dir = "out/ch06_gmm/"
set logscale x
set xrange [6:16000]
set yrange [0:3]
set xlabel "draws of z per estimate, S"
set ylabel "estimate / p(x)   (median, 10% to 90%)"
set key top right
set arrow 1 from 6,1 to 16000,1 nohead dt 2 lc rgb "gray40"
plot dir."latent_estimates.tsv" using 1:3:2:4 with yerrorlines pt 7 \
         lw 2 lc rgb "#08306b" title "naive Monte Carlo, z ∼ p(z)", \
     "" using ($1*1.12):6:5:7 with yerrorlines pt 5 lw 2 \
         lc rgb "#e6550d" title "importance sampling, z ∼ q(z|x)"
