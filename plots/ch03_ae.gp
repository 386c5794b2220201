# ch03_ae.gp -- chapter 3's figures: the 2-D codes of the test digits
# coloured by digit, and squared error against rank for PCA (the curve)
# and for the autoencoders (the points); plus the programs' own pictures.
# run: ./ch03_ae
# run: ./ch03_ae --latent 2 --out out/ch03_ae/latent2
# run: ./ch03_ae --linear --loss mse --hidden 0 --lr 0.003 --epochs 30 --out out/ch03_ae/linear
# run: cp out/ch03_ae/reconstructions.png plots/ch03_reconstructions.png
# run: cp out/ch03_ae/random-codes.png plots/ch03_random_codes.png
set terminal pngcairo size 760,640 font ",11"
set datafile separator "\t"

set output "plots/ch03_codes.png"
set key outside right title "digit"
set xlabel "code z_1"
set ylabel "code z_2"
set grid
# ten colours that stay apart (matplotlib's tab10)
array colour[10] = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", \
                    "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"]
plot for [d=0:9] "out/ch03_ae/latent2/codes.tsv" \
     using 1:($3 == d ? $2 : 1/0) every ::1 \
     with points pt 7 ps 0.5 lc rgb colour[d + 1] title sprintf("%d", d)

set output "plots/ch03_pca.png"
set terminal pngcairo size 800,500 font ",11"
set key inside top right noautotitle title ""
set xlabel "rank k (width of the code)"
set ylabel "squared error per training image"
set xrange [0:17]
set yrange [0:55]
set xtics 0,2,16
plot "out/ch03_ae/pca.tsv" using 1:3 every ::1 with linespoints lw 2 pt 7 \
         ps 0.6 lc rgb "#1f77b4" title "PCA (3.17)", \
     "out/ch03_ae/linear/errors.tsv" using 1:5 every ::1 with points \
         pt 6 ps 2.5 lw 2 lc rgb "#2ca02c" title "linear AE, 784-16-784", \
     "out/ch03_ae/errors.tsv" using 1:5 every ::1 with points pt 9 ps 2 \
         lc rgb "#d62728" title "ReLU AE 784-256-k-256-784, trained by BCE", \
     "out/ch03_ae/latent2/errors.tsv" using 1:5 every ::1 with points \
         pt 9 ps 2 lc rgb "#d62728" notitle
