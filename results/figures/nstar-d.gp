# nstar-d.gp - n* against d per kappa
# written by: biasweep plot nstar-d --catalog 'results/results.sqlite' -o 'results/figures/nstar-d.png'
# Edit and redraw with: gnuplot PATH/TO/THIS.gp  (the data are read from this script's directory)

set encoding utf8
here = ''   # this script's directory, from its path (ARG0)
if (exists('ARG0') && strlen(ARG0) > 0) { do for [i = strlen(ARG0):1:-1] { if (here eq '' && ARG0[i:i] eq '/') { here = ARG0[1:i] } } }
set terminal pngcairo size 2060,520 enhanced font 'Sans,12'
set output here.'nstar-d.png'
set datafile missing 'NaN'
set style line 100 lc rgb '#bbbbbb' lw 1
set grid lt 1 lw 0.8 lc rgb '#e6e6e6'
set border lw 1.2
dat = here.'nstar-d.dat'
dtdat = here.'nstar-d-dt.dat'
# the fits are in nstar-d-fit.dat

# the least-squares fit n* = a kappa ln d + b over the label_noise_sgd and riemannian_flow cells
# with an interpolated n* (54 cells), R^2 = 0.9484218758212806
a = 0.8321550926628342
b = 3.2255496667179173

set multiplot title 'Sample complexity n^* against d  (signs w^*, ε = 0.1)' font ',15'
set logscale xy
set xrange [49.230769230769226:5324.8]
set yrange [5.6:6656.0]
set xtics (64, 128, 256, 512, 1024, 2048, 4096)
set ytics (10, 20, 50, 100, 200, 500, 1000, 2000, 5000)
set mxtics 1
set format y '%g'
set xlabel 'dimension d'
set ylabel 'n^*  (samples for 50% success)'
unset key
set samples 200

# ---- panel: kappa = 2
set origin 0.0000,0.0000
set size 0.2718,0.9038
set title 'κ = 2'
kappa = 2.0
plot x with lines lc rgb '#d9c8ea' lw 9 notitle, \
  dat index 0 using ($4*0.9426):12:13:14 with yerrorbars lc rgb '#9467bd' lw 1.2 ps 0 notitle, \
  dat index 1 using ($4*0.9709):12:13:14 with yerrorbars lc rgb '#1f77b4' lw 1.2 ps 0 notitle, \
  dat index 2 using ($4*1.0000):12:13:14 with yerrorbars lc rgb '#d62728' lw 1.2 ps 0 notitle, \
  dat index 3 using ($4*1.0300):12:13:14 with yerrorbars lc rgb '#2ca02c' lw 1.2 ps 0 notitle, \
  dat index 4 using ($4*1.0609):12:13:14 with yerrorbars lc rgb '#2ca02c' lw 1.2 ps 0 notitle, \
  dat index 0 using ($4*0.9426):12 with linespoints lc rgb '#9467bd' pt 11 ps 1.2 lw 1.8 dt 1 notitle, \
  dat index 1 using ($4*0.9709):12 with linespoints lc rgb '#1f77b4' pt 7 ps 1.3 lw 1.8 dt 1 notitle, \
  dat index 2 using ($4*1.0000):12 with linespoints lc rgb '#d62728' pt 9 ps 1.2 lw 1.8 dt 1 notitle, \
  dat index 3 using ($4*1.0300):12 with linespoints lc rgb '#2ca02c' pt 4 ps 2 lw 1.8 dt 1 notitle, \
  dat index 4 using ($4*1.0609):12 with linespoints lc rgb '#2ca02c' pt 5 ps 2 lw 1.8 dt 2 notitle, \
  a*kappa*log(x) + b with lines lc rgb 'black' dt 2 lw 1.8 notitle, \
  dtdat index 0 using 1:3 with lines lc rgb '#8c564b' lw 2.5 notitle

# ---- panel: kappa = 4
set origin 0.2718,0.0000
set size 0.2718,0.9038
set title 'κ = 4'
kappa = 4.0
plot x with lines lc rgb '#d9c8ea' lw 9 notitle, \
  dat index 5 using ($4*0.9426):12:13:14 with yerrorbars lc rgb '#9467bd' lw 1.2 ps 0 notitle, \
  dat index 6 using ($4*0.9709):12:13:14 with yerrorbars lc rgb '#1f77b4' lw 1.2 ps 0 notitle, \
  dat index 7 using ($4*1.0000):12:13:14 with yerrorbars lc rgb '#d62728' lw 1.2 ps 0 notitle, \
  dat index 7 using ($4*1.0000):((valid(14) || !valid(13)) ? NaN : $13):(0):($16 - $13) with vectors nohead dt (6,4) lc rgb '#d62728' lw 1.6 notitle, \
  dat index 8 using ($4*1.0300):12:13:14 with yerrorbars lc rgb '#2ca02c' lw 1.2 ps 0 notitle, \
  dat index 8 using ($4*1.0300):((valid(14) || !valid(13)) ? NaN : $13):(0):($16 - $13) with vectors nohead dt (6,4) lc rgb '#2ca02c' lw 1.6 notitle, \
  dat index 9 using ($4*1.0609):12:13:14 with yerrorbars lc rgb '#2ca02c' lw 1.2 ps 0 notitle, \
  dat index 9 using ($4*1.0609):((valid(14) || !valid(13)) ? NaN : $13):(0):($16 - $13) with vectors nohead dt (6,4) lc rgb '#2ca02c' lw 1.6 notitle, \
  dat index 5 using ($4*0.9426):12 with linespoints lc rgb '#9467bd' pt 11 ps 1.2 lw 1.8 dt 1 notitle, \
  dat index 6 using ($4*0.9709):12 with linespoints lc rgb '#1f77b4' pt 7 ps 1.3 lw 1.8 dt 1 notitle, \
  dat index 7 using ($4*1.0000):12 with linespoints lc rgb '#d62728' pt 9 ps 1.2 lw 1.8 dt 1 notitle, \
  dat index 8 using ($4*1.0300):12 with linespoints lc rgb '#2ca02c' pt 4 ps 2 lw 1.8 dt 1 notitle, \
  dat index 9 using ($4*1.0609):12 with linespoints lc rgb '#2ca02c' pt 5 ps 2 lw 1.8 dt 2 notitle, \
  a*kappa*log(x) + b with lines lc rgb 'black' dt 2 lw 1.8 notitle, \
  dtdat index 1 using 1:3 with lines lc rgb '#8c564b' lw 2.5 notitle

# ---- panel: kappa = 8
set origin 0.5437,0.0000
set size 0.2718,0.9038
set title 'κ = 8'
kappa = 8.0
plot x with lines lc rgb '#d9c8ea' lw 9 notitle, \
  dat index 10 using ($4*0.9426):12:13:14 with yerrorbars lc rgb '#9467bd' lw 1.2 ps 0 notitle, \
  dat index 11 using ($4*0.9709):12:13:14 with yerrorbars lc rgb '#1f77b4' lw 1.2 ps 0 notitle, \
  dat index 12 using ($4*1.0000):12:13:14 with yerrorbars lc rgb '#d62728' lw 1.2 ps 0 notitle, \
  dat index 12 using ($4*1.0000):(valid(12) ? NaN : $16) with points pt 8 ps 2 lc rgb '#d62728' notitle, \
  dat index 13 using ($4*1.0300):12:13:14 with yerrorbars lc rgb '#2ca02c' lw 1.2 ps 0 notitle, \
  dat index 13 using ($4*1.0300):((valid(14) || !valid(13)) ? NaN : $13):(0):($16 - $13) with vectors nohead dt (6,4) lc rgb '#2ca02c' lw 1.6 notitle, \
  dat index 13 using ($4*1.0300):(valid(12) ? NaN : $16) with points pt 8 ps 2 lc rgb '#2ca02c' notitle, \
  dat index 14 using ($4*1.0609):12:13:14 with yerrorbars lc rgb '#2ca02c' lw 1.2 ps 0 notitle, \
  dat index 14 using ($4*1.0609):(valid(12) ? NaN : $16) with points pt 8 ps 2 lc rgb '#2ca02c' notitle, \
  dat index 10 using ($4*0.9426):12 with linespoints lc rgb '#9467bd' pt 11 ps 1.2 lw 1.8 dt 1 notitle, \
  dat index 11 using ($4*0.9709):12 with linespoints lc rgb '#1f77b4' pt 7 ps 1.3 lw 1.8 dt 1 notitle, \
  dat index 12 using ($4*1.0000):12 with linespoints lc rgb '#d62728' pt 9 ps 1.2 lw 1.8 dt 1 notitle, \
  dat index 13 using ($4*1.0300):12 with linespoints lc rgb '#2ca02c' pt 4 ps 2 lw 1.8 dt 1 notitle, \
  dat index 14 using ($4*1.0609):12 with linespoints lc rgb '#2ca02c' pt 5 ps 2 lw 1.8 dt 2 notitle, \
  a*kappa*log(x) + b with lines lc rgb 'black' dt 2 lw 1.8 notitle, \
  dtdat index 2 using 1:3 with lines lc rgb '#8c564b' lw 2.5 notitle

# ---- legend (for every panel)
set origin 0.8155,0
set size 0.1845,0.9038
unset border
unset tics
unset xlabel
unset ylabel
unset title
unset grid
unset logscale
unset label
set xrange [0:1]
set yrange [0:1]
set key inside center center vertical Left reverse nobox font ',11' spacing 1.35 samplen 3
set label 1 'fit over 54 flow and label-noise cells:' at graph 0.05, graph 0.09 left font ',10'
set label 2 'a = 0.832, b = 3.23, R^2 = 0.95' at graph 0.05, graph 0.03 left font ',10'
set label 3 'series drawn side by side, 3% apart in d' at graph 0.05, graph 0.15 left font ',10'
plot -1 with lines notitle, \
  keyentry with linespoints lc rgb '#9467bd' pt 11 ps 1.2 lw 1.8 dt 1 title 'gaussian\_noise\_gd', \
  keyentry with linespoints lc rgb '#1f77b4' pt 7 ps 1.3 lw 1.8 dt 1 title 'gd', \
  keyentry with linespoints lc rgb '#d62728' pt 9 ps 1.2 lw 1.8 dt 1 title 'label\_noise\_sgd', \
  keyentry with linespoints lc rgb '#2ca02c' pt 4 ps 2 lw 1.8 dt 1 title 'riemannian\_flow gaussian', \
  keyentry with linespoints lc rgb '#2ca02c' pt 5 ps 2 lw 1.8 dt 2 title 'riemannian\_flow rademacher', \
  keyentry with yerrorbars lc rgb '#555555' lw 1.2 ps 0 title '95% bootstrap interval (seeds)', \
  keyentry with vectors nohead dt (6,4) lc rgb '#555555' lw 1.6 title 'open above (dashed, to largest n)', \
  keyentry with points pt 8 ps 2 lc rgb '#555555' title 'n^* above the largest n tried', \
  keyentry with lines lc rgb 'black' dt 2 lw 1.8 title 'fit a κ ln d + b (flow, label noise)', \
  keyentry with lines lc rgb '#8c564b' lw 2.5 title 'Donoho–Tanner n_{50}(d, κ)', \
  keyentry with lines lc rgb '#d9c8ea' lw 9 title 'n = d'

unset multiplot
set output
