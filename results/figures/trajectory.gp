# trajectory.gp - trajectories of label_noise_sgd and riemannian_flow on one instance
# written by: biasweep plot trajectory --catalog 'results/results.sqlite' --where 'd=128' --where 'kappa=4' --where 'seed=0' --where 'design=rademacher' --where 'n=32' -o 'results/figures/trajectory.png'
# Edit and redraw with: gnuplot PATH/TO/THIS.gp  (the data are read from this script's directory)

set encoding utf8
here = ''   # this script's directory, from its path (ARG0)
if (exists('ARG0') && strlen(ARG0) > 0) { do for [i = strlen(ARG0):1:-1] { if (here eq '' && ARG0[i:i] eq '/') { here = ARG0[1:i] } } }
set terminal pngcairo size 1240,648 enhanced font 'Sans,12'
set output here.'trajectory.png'
set datafile missing 'NaN'
set style line 100 lc rgb '#bbbbbb' lw 1
set grid lt 1 lw 0.8 lc rgb '#e6e6e6'
set border lw 1.2
dat = here.'trajectory.dat'
eps = 0.1
# R = tr Hess L at the sparse solution w* (u = sqrt(w*+), v = sqrt(w*-)) of this instance
Rstar = 32.0

set multiplot title 'One instance: d = 128, κ = 4, n = 32, seed 0 (rademacher design, signs w^*)' font ',15'
set logscale xy
set format x '10^{%L}'
unset key
set xlabel 'simulated time t  (flow time; label-noise SGD: t = kη^2σ^2/2)'

# ---- panel: R
set origin 0.0000,0.1975
set size 0.5000,0.7253
set title 'implicit regulariser R = tr ∇^2L'
set ylabel 'R(w)'
set format y '%g'
plot dat index 0 using 2:5 with linespoints lc rgb '#d62728' pt 9 ps 0.9 pi 4 lw 2 dt 1 notitle, \
  dat index 1 using 2:5 with linespoints lc rgb '#2ca02c' pt 4 ps 0.9 pi 4 lw 2 dt 1 notitle, \
  Rstar with lines lc rgb '#555555' dt 4 lw 1.8 notitle

# ---- panel: test error
set origin 0.5000,0.1975
set size 0.5000,0.7253
set title 'test error'
set ylabel '||w − w^*|| / ||w^*||'
set format y '10^{%L}'
set yrange [1e-09:10.0]
plot dat index 0 using 2:4 with linespoints lc rgb '#d62728' pt 9 ps 0.9 pi 4 lw 2 dt 1 notitle, \
  dat index 1 using 2:4 with linespoints lc rgb '#2ca02c' pt 4 ps 0.9 pi 4 lw 2 dt 1 notitle, \
  eps with lines lc rgb 'black' dt 2 lw 1.5 notitle

# ---- legend
set origin 0,0
set size 1,0.1975
unset border
unset tics
unset xlabel
unset ylabel
unset title
unset grid
unset logscale
set xrange [0:1]
set yrange [0:1]
set key inside center center vertical Left reverse nobox font ',11' spacing 1.3 samplen 4
plot -1 with lines notitle, \
  keyentry with linespoints lc rgb '#d62728' pt 9 ps 0.9 pi 4 lw 2 dt 1 title 'label\_noise\_sgd (α=0.5, σ=1, η=0.00098): converged, final test error 6.8e-11 (after the projection Φ)', \
  keyentry with linespoints lc rgb '#2ca02c' pt 4 ps 0.9 pi 4 lw 2 dt 1 title 'riemannian\_flow (α=0.5): converged, final test error 3.5e-09', \
  keyentry with lines lc rgb '#555555' dt 4 lw 1.8 title sprintf('R(w^*) = %.4g: the sparse solution w^* (the l1 limit)', Rstar), \
  keyentry with lines lc rgb 'black' dt 2 lw 1.5 title sprintf('ε = %g: success threshold of the test error', eps)

unset multiplot
set output
