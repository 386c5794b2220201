# ch04_sparse_ae.gp -- how active the 196 hidden units are on the test
# digits: the histogram of their mean activations with the KL penalty
# (rho = 0.05), with the L1 penalty, and with none; plus the filters.
# run: ./ch04_sparse_ae
# run: ./ch04_sparse_ae --beta 0 --out out/ch04_sparse_ae/none
# run: ./ch04_sparse_ae --penalty l1 --beta 3 --out out/ch04_sparse_ae/l1
# run: cp out/ch04_sparse_ae/filters.png plots/ch04_filters.png
# run: cp out/ch04_sparse_ae/none/filters.png plots/ch04_filters_none.png
set terminal pngcairo size 800,480 font ",11"
set output "plots/ch04_histogram.png"
set datafile separator "\t"
set key top right noautotitle
set xlabel "mean activation of a hidden unit over the test digits"
set ylabel "hidden units (of 196), bins of 0.01"
set xrange [0:1]
set xtics 0,0.1,1
set grid
set style fill transparent solid 0.45 noborder
set arrow from 0.05, graph 0 to 0.05, graph 1 nohead dashtype 2 lc rgb "#444444"
set label "rho = 0.05" at 0.06, graph 0.6
plot "out/ch04_sparse_ae/histogram.tsv" using 1:2 every ::1 with boxes \
         lc rgb "#d62728" title "KL penalty, beta 30", \
     "out/ch04_sparse_ae/l1/histogram.tsv" using 1:2 every ::1 with boxes \
         lc rgb "#2ca02c" title "L1 penalty, beta 3", \
     "out/ch04_sparse_ae/none/histogram.tsv" using 1:2 every ::1 with boxes \
         lc rgb "#1f77b4" title "no penalty"
