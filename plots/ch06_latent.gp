# ch06_latent.gp -- the continuous-latent model (6.10). Left: p(x) by
# quadrature against a histogram of x drawn ancestrally (z, then x|z).
# Right, at x = 1: the prior p(z), the posterior p(z|x) and the Laplace
# proposal q(z|x) (6.14); the inset zooms in on the last two.
# run: ./ch06_gmm
set terminal pngcairo size 1000,440 font "Sans,11"
set output "plots/ch06_latent.png"
set datafile separator "\t"
set datafile columnheaders
dir = "out/ch06_gmm/"
set multiplot
set size 0.5,1
set origin 0,0
set xlabel "x"
set ylabel "p(x)"
set xrange [-2.6:2.6]
set yrange [0:1.1]
set key top center
set style fill solid 0.4 noborder
set arrow 1 from 1,0 to 1,0.75 nohead dt 2 lc rgb "gray40"
set label 1 "x = 1" at 1.05,0.72
plot dir."latent_hist.tsv" using 1:2 with boxes lc rgb "#9ecae1" \
         title "x drawn ancestrally", \
     dir."latent_px.tsv" using 1:2 with lines lw 2 lc rgb "#08306b" \
         title "p(x) = ∫ p(x|z) p(z) dz, quadrature"
unset arrow 1
unset label 1
set origin 0.5,0
set xlabel "z"
set ylabel "density"
set xrange [-3:3]
set logscale y
set yrange [1e-3:300]
set format y "10^{%L}"
set key top right
plot dir."latent_posterior.tsv" using 1:2 with lines lw 2 \
         lc rgb "#636363" title "prior p(z)", \
     "" using 1:($3 > 0 ? $3 : NaN) with lines lw 2.5 lc rgb "#08306b" \
         title "posterior p(z|x=1)", \
     "" using 1:($4 > 0 ? $4 : NaN) with lines dt 2 lw 2.5 \
         lc rgb "#e6550d" title "Laplace q(z|x=1)"
# inset: the posterior and q on a linear scale
set origin 0.565,0.5
set size 0.2,0.4
unset logscale y
set format y "%g"
set xrange [0.28:0.46]
set yrange [0:20]
set xtics 0.05 font ",8"
set ytics 5 font ",8"
unset xlabel
unset ylabel
unset key
set object 1 rectangle from graph 0,0 to graph 1,1 behind \
    fillcolor rgb "white" fillstyle solid 1.0
plot dir."latent_posterior.tsv" using 1:3 with lines lw 2.5 \
         lc rgb "#08306b", \
     "" using 1:4 with lines dt 2 lw 2.5 lc rgb "#e6550d"
unset multiplot
