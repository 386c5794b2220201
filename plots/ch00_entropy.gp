# ch00_entropy.gp -- the binary case of chapter 0: the entropy of a coin
# and its KL divergence from the fair coin, in both directions.
# run: ./ch00_entropy
set terminal pngcairo size 800,500 font ",11"
set output "plots/ch00_entropy.png"
set datafile separator "\t"
set key top center
set xlabel "x = P(heads)"
set ylabel "bits"
set xrange [0:1]
set yrange [0:2]
set grid
plot "out/ch00_entropy/binary.tsv" using 1:2 with lines lw 2 \
         title "H(Bern(x))", \
     "" using 1:3 with lines lw 2 title "KL(Bern(x) || Bern(0.5)) = 1 - H", \
     "" using 1:4 with lines lw 2 dt 2 title "KL(Bern(0.5) || Bern(x))"
