# phase.gp - the success rate over (n/d, kappa/n) per algorithm
# written by: biasweep plot phase --catalog 'results/results.sqlite' -o 'results/figures/phase.png'
# Edit and redraw with: gnuplot PATH/TO/THIS.gp  (the data are read from this script's directory)

set encoding utf8
here = ''   # this script's directory, from its path (ARG0)
if (exists('ARG0') && strlen(ARG0) > 0) { do for [i = strlen(ARG0):1:-1] { if (here eq '' && ARG0[i:i] eq '/') { here = ARG0[1:i] } } }
set terminal pngcairo size 1470,880 enhanced font 'Sans,12'
set output here.'phase.png'
set datafile missing 'NaN'
set style line 100 lc rgb '#bbbbbb' lw 1
set grid lt 1 lw 0.8 lc rgb '#e6e6e6'
set border lw 1.2
dat = here.'phase.dat'
dtdat = here.'phase-dt.dat'

set multiplot layout 2,3 title 'Success rate over (n/d, κ/n)  (signs w^*, ε = 0.1)' font ',15'
set logscale xy
set xrange [0.00034877232142857144:1.4]
set yrange [0.0027901785714285715:1.4]
set xtics (0.001, 0.01, 0.1, 1)
set ytics (0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1)
set format x '%g'
set format y '%g'
set xlabel 'n/d  (undersampling δ)'
set ylabel 'κ/n  (sparsity ρ)'
set cbrange [0:1]
set cbtics 0.25
set cblabel 'success rate'
set palette defined (0 '#440154', 0.25 '#3b528b', 0.5 '#21918c', 0.75 '#5ec962', 1 '#fde725')
set key bottom left font ',10' opaque box ls 100

# ---- panel: gaussian_noise_gd
unset colorbox
set title 'gaussian\_noise\_gd'
plot dat index 0 using 12:($13 >= 1 ? NaN : $13):16 with points pt 5 ps 1.8 lc palette notitle, \
  dtdat using 2:3 with lines lc rgb '#e31a1c' lw 2.5 title 'Donoho–Tanner 50% curve'

# ---- panel: gd
unset colorbox
set title 'gd'
plot dat index 1 using 12:($13 >= 1 ? NaN : $13):16 with points pt 5 ps 1.8 lc palette notitle, \
  dtdat using 2:3 with lines lc rgb '#e31a1c' lw 2.5 title 'Donoho–Tanner 50% curve'

# ---- panel: label_noise_sgd
unset colorbox
set title 'label\_noise\_sgd'
plot dat index 2 using 12:($13 >= 1 ? NaN : $13):16 with points pt 5 ps 1.8 lc palette notitle, \
  dtdat using 2:3 with lines lc rgb '#e31a1c' lw 2.5 title 'Donoho–Tanner 50% curve'

# ---- panel: riemannian_flow design=gaussian
unset colorbox
set title 'riemannian\_flow gaussian'
plot dat index 3 using 12:($13 >= 1 ? NaN : $13):16 with points pt 5 ps 1.8 lc palette notitle, \
  dtdat using 2:3 with lines lc rgb '#e31a1c' lw 2.5 title 'Donoho–Tanner 50% curve'

# ---- panel: riemannian_flow design=rademacher
set colorbox
set title 'riemannian\_flow rademacher'
plot dat index 4 using 12:($13 >= 1 ? NaN : $13):16 with points pt 5 ps 1.8 lc palette notitle, \
  dtdat using 2:3 with lines lc rgb '#e31a1c' lw 2.5 title 'Donoho–Tanner 50% curve'

unset multiplot
set output
