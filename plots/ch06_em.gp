# ch06_em.gp -- EM's log-likelihood per sample, iteration by iteration,
# for the 1-D and 2-D fits; right: its distance below the final value,
# which (6.9) says can only shrink.
# run: ./ch06_gmm
set terminal pngcairo size 1000,420 font "Sans,11"
set output "plots/ch06_em.png"
set datafile separator "\t"
set datafile columnheaders
dir = "out/ch06_gmm/"
stats dir."em1d_loglik.tsv" using 2 name "L1" nooutput
stats dir."em2d_loglik.tsv" using 2 name "L2" nooutput
set multiplot layout 1,2
set xlabel "EM iteration"
set ylabel "log-likelihood per sample"
set key bottom right
plot dir."em1d_loglik.tsv" using 1:2 with linespoints pt 7 ps 0.4 \
         lc rgb "#08306b" title "1-D, 3 components", \
     dir."em2d_loglik.tsv" using 1:2 with linespoints pt 7 ps 0.4 \
         lc rgb "#e6550d" title "2-D, 3 components"
set logscale y
set yrange [1e-9:1]
set format y "10^{%L}"
set ylabel "final - current"
set key top right
plot dir."em1d_loglik.tsv" using 1:(L1_max - $2 > 0 ? L1_max - $2 : NaN) \
         with linespoints pt 7 ps 0.4 lc rgb "#08306b" title "1-D", \
     dir."em2d_loglik.tsv" using 1:(L2_max - $2 > 0 ? L2_max - $2 : NaN) \
         with linespoints pt 7 ps 0.4 lc rgb "#e6550d" title "2-D"
unset multiplot
