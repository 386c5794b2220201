# ch09_cgan.gp -- chapter 9's figures: the game's dynamics per epoch (the
# two losses, the discriminator's accuracy on real and generated digits,
# and the gradient norm the generator gets from either form of its loss)
# for the default run and for the run whose generator collapses; and the
# program's pictures, copied next to them.
# run: ./ch09_cgan
# run: ./ch09_cgan --g-lr 1e-2 --out out/ch09_cgan/collapse
# run: cp out/ch09_cgan/generated.png plots/ch09_generated.png
# run: cp out/ch09_cgan/strip.png plots/ch09_strip.png
# run: cp out/ch09_cgan/collapse/generated.png plots/ch09_collapse.png
set datafile separator "\t"
set datafile columnheaders
run = "out/ch09_cgan/losses.tsv"
bad = "out/ch09_cgan/collapse/losses.tsv"

set terminal pngcairo size 1200,380 font ",11"
set output "plots/ch09_dynamics.png"
set multiplot layout 1,3
set grid
set xlabel "epoch"
set key top right
set ylabel "loss per image (nats)"
plot run using 1:2 every ::1 with linespoints lw 2 pt 7 ps 0.6 \
         lc rgb "#08306b" title "D (9.2)", \
     run using 1:3 every ::1 with linespoints lw 2 pt 7 ps 0.6 \
         lc rgb "#d62728" title "G, -log D (9.7)", \
     bad using 1:2 every ::1 with lines lw 2 dt 2 lc rgb "#08306b" \
         title "D, --g-lr 1e-2", \
     bad using 1:3 every ::1 with lines lw 2 dt 2 lc rgb "#d62728" \
         title "G, --g-lr 1e-2"
set ylabel "D's accuracy"
set yrange [0.5:1.01]
set key bottom right
plot run using 1:4 every ::1 with linespoints lw 2 pt 7 ps 0.6 \
         lc rgb "#2ca02c" title "on real digits", \
     run using 1:5 every ::1 with linespoints lw 2 pt 7 ps 0.6 \
         lc rgb "#9467bd" title "on generated ones", \
     bad using 1:4 every ::1 with lines lw 2 dt 2 lc rgb "#2ca02c" \
         title "real, --g-lr 1e-2", \
     bad using 1:5 every ::1 with lines lw 2 dt 2 lc rgb "#9467bd" \
         title "generated, --g-lr 1e-2"
set autoscale y
set logscale y
set ylabel "|gradient| of G's loss on a probe batch"
set key bottom left
plot run using 1:7 with linespoints lw 2 pt 7 ps 0.6 lc rgb "#d62728" \
         title "-log D (9.7)", \
     run using 1:8 with linespoints lw 2 pt 7 ps 0.6 lc rgb "#ff7f0e" \
         title "log(1 - D) (9.6)", \
     run using 1:6 with lines lw 2 dt 3 lc rgb "#444444" \
         title "D(G(z)) on the probe"
unset multiplot
