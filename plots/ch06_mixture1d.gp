# ch06_mixture1d.gp -- the 1-D mixture (6.1): density, its weighted
# components, a histogram of 20,000 ancestral samples (6.4) and EM's fit.
# run: ./ch06_gmm
set terminal pngcairo size 900,540 font "Sans,11"
set output "plots/ch06_mixture1d.png"
set datafile separator "\t"
set datafile columnheaders
set xlabel "x"
set ylabel "density"
set xrange [-5:6]
set yrange [0:*]
set key top right
set style fill solid 0.35 noborder
dir = "out/ch06_gmm/"
plot dir."mixture1d_hist.tsv" using 1:2 with boxes lc rgb "#9ecae1" \
         title "histogram of samples", \
     dir."mixture1d_density.tsv" using 1:4 with lines dt 3 lw 2 \
         lc rgb "#756bb1" title "π_m N(x; μ_m, σ_m^2)", \
     "" using 1:5 with lines dt 3 lw 2 lc rgb "#756bb1" notitle, \
     "" using 1:6 with lines dt 3 lw 2 lc rgb "#756bb1" notitle, \
     "" using 1:2 with lines lw 2.5 lc rgb "#08306b" \
         title "true mixture p(x)", \
     "" using 1:3 with lines dt 2 lw 2 lc rgb "#e6550d" title "EM fit"
