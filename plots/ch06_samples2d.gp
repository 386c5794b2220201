# ch06_samples2d.gp -- 4,000 of the 2-D mixture's ancestral samples (6.4),
# coloured by the component that drew them, and the 2-sigma ellipses of
# the components EM (6.7)-(6.8) found without seeing the colours.
# run: ./ch06_gmm
set terminal pngcairo size 760,640 font "Sans,11"
set output "plots/ch06_samples2d.png"
set datafile separator "\t"
set datafile columnheaders
dir = "out/ch06_gmm/"
set xlabel "x_1"
set ylabel "x_2"
set size ratio -1
set key top left
set palette defined (0 "#3182bd", 1 "#e6550d", 2 "#31a354")
set cbrange [0:2]
unset colorbox
plot dir."samples2d.tsv" using 1:2:3 with points pt 7 ps 0.35 \
         lc palette title "samples, coloured by m", \
     dir."ellipses2d.tsv" using 1:2 with lines lw 2.5 lc rgb "black" \
         title "EM fit: 2σ ellipses"
