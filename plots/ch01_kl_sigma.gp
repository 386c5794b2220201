# ch01_kl_sigma.gp -- KL(N(0, s^2) || N(0, 1)) against s, with its two
# competing terms: -log s falls, s^2/2 rises; the sum is lowest at s = 1.
# run: ./ch01_kl1d
set terminal pngcairo size 800,480 font ",11"
set output "plots/ch01_kl_sigma.png"
set datafile separator "\t"
set key autotitle columnhead top center
set xlabel "standard deviation s"
set ylabel "nats"
set yrange [-1.5:4]
set xrange [0:4]
set grid
set arrow from 1,-1.5 to 1,4 nohead dashtype 2 lc rgb "#888888"
plot "out/ch01_kl1d/kl_vs_sigma.tsv" using 1:2 with lines lw 3 title "KL (1.7)", \
     "" using 1:3 with lines lw 2 title "-log s", \
     "" using 1:($4 - 0.5) with lines lw 2 title "s^2/2 - 1/2"
