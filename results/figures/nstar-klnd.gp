# nstar-klnd.gp - n* against kappa ln d per algorithm
# written by: biasweep plot nstar-klnd --catalog 'results/results.sqlite' -o 'results/figures/nstar-klnd.png'
# Edit and redraw with: gnuplot PATH/TO/THIS.gp  (the data are read from this script's directory)

set encoding utf8
here = ''   # this script's directory, from its path (ARG0)
if (exists('ARG0') && strlen(ARG0) > 0) { do for [i = strlen(ARG0):1:-1] { if (here eq '' && ARG0[i:i] eq '/') { here = ARG0[1:i] } } }
set terminal pngcairo size 1340,890 enhanced font 'Sans,12'
set output here.'nstar-klnd.png'
set datafile missing 'NaN'
set style line 100 lc rgb '#bbbbbb' lw 1
set grid lt 1 lw 0.8 lc rgb '#e6e6e6'
set border lw 1.2
dat = here.'nstar-klnd.dat'
# the fits (per algorithm, as biasweep curve --fit) are in nstar-klnd-fit.dat

set multiplot title 'n^* against κ ln d  (signs w^*, ε = 0.1)' font ',15'
set xrange [0:72.0]
set xlabel 'κ ln d'
set ylabel 'n^*  (samples for 50% success)'
unset key

# ---- panel: gaussian_noise_gd
set origin 0.0000,0.4719
set size 0.3731,0.4719
set title 'gaussian\_noise\_gd: fit 3.18 κ ln d + 161, R^2 = 0.06 (not drawn)'
slope0 = 3.184502459455041
intercept0 = 160.8770202020202
set yrange [0:613.0]
plot dat index 0 using 11:12:13:14 with yerrorbars lc rgb '#9467bd' lw 1.2 ps 0 notitle, \
  dat index 0 using 11:12 with points lc rgb '#9467bd' pt 11 ps 1.2 lw 1.8 dt 1 notitle, \
  dat index 0 using 11:17 with points pt 2 ps 1.6 lw 2 lc rgb '#8c564b' notitle, \
  dat index 0 using 11:($4 <= 612.857 ? $4 : NaN) with points pt 1 ps 1.6 lw 2 lc rgb '#9467bd' notitle

# ---- panel: gd
set origin 0.3731,0.4719
set size 0.3731,0.4719
set title 'gd: fit 3.18 κ ln d + 160, R^2 = 0.06 (not drawn)'
slope1 = 3.182712502321115
intercept1 = 159.82248862248866
set yrange [0:611.0]
plot dat index 1 using 11:12:13:14 with yerrorbars lc rgb '#1f77b4' lw 1.2 ps 0 notitle, \
  dat index 1 using 11:12 with points lc rgb '#1f77b4' pt 7 ps 1.3 lw 1.8 dt 1 notitle, \
  dat index 1 using 11:17 with points pt 2 ps 1.6 lw 2 lc rgb '#8c564b' notitle, \
  dat index 1 using 11:($4 <= 610.909 ? $4 : NaN) with points pt 1 ps 1.6 lw 2 lc rgb '#9467bd' notitle

# ---- panel: label_noise_sgd
set origin 0.0000,0.0000
set size 0.3731,0.4719
set title 'label\_noise\_sgd: fit 0.718 κ ln d + 4.37, R^2 = 0.98'
slope2 = 0.7183711662432741
intercept2 = 4.3718773128380235
set yrange [0:65.0]
plot dat index 2 using 11:12:13:14 with yerrorbars lc rgb '#d62728' lw 1.2 ps 0 notitle, \
  dat index 2 using 11:((valid(14) || !valid(13)) ? NaN : $13):(0):($16 - $13) with vectors nohead dt (6,4) lc rgb '#d62728' lw 1.6 notitle, \
  dat index 2 using 11:(valid(12) ? NaN : $16) with points pt 8 ps 2 lc rgb '#d62728' notitle, \
  dat index 2 using 11:12 with points lc rgb '#d62728' pt 9 ps 1.2 lw 1.8 dt 1 notitle, \
  slope2*x + intercept2 with lines lc rgb 'black' dt 2 lw 1.8 notitle, \
  dat index 2 using 11:17 with points pt 2 ps 1.6 lw 2 lc rgb '#8c564b' notitle, \
  dat index 2 using 11:($4 <= 64.4 ? $4 : NaN) with points pt 1 ps 1.6 lw 2 lc rgb '#9467bd' notitle

# ---- panel: riemannian_flow
set origin 0.3731,0.0000
set size 0.3731,0.4719
set title 'riemannian\_flow: fit 0.855 κ ln d + 3.18, R^2 = 0.95'
slope3 = 0.8546909061154977
intercept3 = 3.1824777875982697
set yrange [0:92.0]
plot dat index 3 using 11:12:13:14 with yerrorbars lc rgb '#2ca02c' lw 1.2 ps 0 notitle, \
  dat index 3 using 11:((valid(14) || !valid(13)) ? NaN : $13):(0):($16 - $13) with vectors nohead dt (6,4) lc rgb '#2ca02c' lw 1.6 notitle, \
  dat index 3 using 11:(valid(12) ? NaN : $16) with points pt 8 ps 2 lc rgb '#2ca02c' notitle, \
  dat index 4 using 11:12:13:14 with yerrorbars lc rgb '#2ca02c' lw 1.2 ps 0 notitle, \
  dat index 4 using 11:((valid(14) || !valid(13)) ? NaN : $13):(0):($16 - $13) with vectors nohead dt (6,4) lc rgb '#2ca02c' lw 1.6 notitle, \
  dat index 4 using 11:(valid(12) ? NaN : $16) with points pt 8 ps 2 lc rgb '#2ca02c' notitle, \
  dat index 3 using 11:12 with points lc rgb '#2ca02c' pt 4 ps 2 lw 1.8 dt 1 notitle, \
  dat index 4 using 11:12 with points lc rgb '#2ca02c' pt 5 ps 2 lw 1.8 dt 2 notitle, \
  slope3*x + intercept3 with lines lc rgb 'black' dt 2 lw 1.8 notitle, \
  dat index 3 using 11:17 with points pt 2 ps 1.6 lw 2 lc rgb '#8c564b' notitle, \
  dat index 3 using 11:($4 <= 91.2 ? $4 : NaN) with points pt 1 ps 1.6 lw 2 lc rgb '#9467bd' notitle, \
  dat index 4 using 11:17 with points pt 2 ps 1.6 lw 2 lc rgb '#8c564b' notitle, \
  dat index 4 using 11:($4 <= 91.2 ? $4 : NaN) with points pt 1 ps 1.6 lw 2 lc rgb '#9467bd' notitle

# ---- legend (for every panel)
set origin 0.7463,0
set size 0.2537,0.9438
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
plot -1 with lines notitle, \
  keyentry with points lc rgb '#9467bd' pt 11 ps 1.2 lw 1.8 dt 1 title 'gaussian\_noise\_gd', \
  keyentry with points lc rgb '#1f77b4' pt 7 ps 1.3 lw 1.8 dt 1 title 'gd', \
  keyentry with points lc rgb '#d62728' pt 9 ps 1.2 lw 1.8 dt 1 title 'label\_noise\_sgd', \
  keyentry with points lc rgb '#2ca02c' pt 4 ps 2 lw 1.8 dt 1 title 'riemannian\_flow gaussian', \
  keyentry with points lc rgb '#2ca02c' pt 5 ps 2 lw 1.8 dt 2 title 'riemannian\_flow rademacher', \
  keyentry with yerrorbars lc rgb '#555555' lw 1.2 ps 0 title '95% bootstrap interval (seeds)', \
  keyentry with vectors nohead dt (6,4) lc rgb '#555555' lw 1.6 title 'open above (dashed, to largest n)', \
  keyentry with points pt 8 ps 2 lc rgb '#555555' title 'n^* above the largest n tried', \
  keyentry with lines lc rgb 'black' dt 2 lw 1.8 title 'fit (drawn where R^2 ≥ 0.6)', \
  keyentry with points pt 2 ps 1.6 lw 2 lc rgb '#8c564b' title 'Donoho–Tanner n_{50} of the cell', \
  keyentry with points pt 1 ps 1.6 lw 2 lc rgb '#9467bd' title 'n = d of the cell'

unset multiplot
set output
