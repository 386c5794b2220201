# ch05_denoising_ae.gp -- PSNR against the clean test digits of the
# noisy input, of the plain AE fed the noisy input, and of the denoising
# AE, for three corruptions; plus the programs' comparison grids.
# run: ./ch05_denoising_ae
# run: ./ch05_denoising_ae --noise gauss --level 0.3 --out out/ch05_denoising_ae/gauss
# run: ./ch05_denoising_ae --noise saltpepper --level 0.2 --out out/ch05_denoising_ae/saltpepper
# run: cp out/ch05_denoising_ae/comparison.png plots/ch05_mask.png
# run: cp out/ch05_denoising_ae/gauss/comparison.png plots/ch05_gauss.png
set terminal pngcairo size 800,480 font ",11"
set output "plots/ch05_psnr.png"
set datafile separator "\t"
set key top left noautotitle
set ylabel "PSNR against the clean digits (dB)"
set yrange [0:24]
set grid ytics
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.8 noborder
set xtics ("mask 0.3" 0, "Gaussian 0.3" 1, "salt and pepper 0.2" 2)
# one row per run; gather the three runs' rows into one table
table = "< tail -q -n 1 out/ch05_denoising_ae/psnr.tsv out/ch05_denoising_ae/gauss/psnr.tsv out/ch05_denoising_ae/saltpepper/psnr.tsv"
plot table using 2 lc rgb "#7f7f7f" title "noisy input", \
     "" using 3 lc rgb "#1f77b4" title "plain AE on the noisy input", \
     "" using 4 lc rgb "#d62728" title "denoising AE"
