# ch02_kl_diag.gp -- chapter 2's figure: what a diagonal Gaussian misses
# of a correlation. KL between N(0, [[1, rho], [rho, 1]]) and N(0, I) in
# both directions, closed form (lines) and Monte Carlo +- 2 SE (points).
# run: ./ch02_kl_diag
set terminal pngcairo size 800,500 font ",11"
set output "plots/ch02_kl_diag.png"
set datafile separator "\t"
set xlabel "correlation rho"
set ylabel "KL (nats)"
set xrange [0:1]
set key top left
set logscale y
set yrange [0.001:20]
set format y "10^{%L}"
set grid
plot "out/ch02_kl_diag/kl_vs_rho.tsv" using 1:2 with lines lw 2 lc 1 \
         title "KL(correlated || diagonal) = -1/2 log(1 - rho^2)", \
     "" using 1:3 with lines lw 2 lc 2 title "KL(diagonal || correlated)", \
     "out/ch02_kl_diag/kl_vs_rho_mc.tsv" using 1:2:(2*$3) \
         with yerrorbars pt 7 ps 0.8 lc 1 title "Monte Carlo +- 2 SE", \
     "" using 1:4:(2*$5) with yerrorbars pt 7 ps 0.8 lc 2 notitle
