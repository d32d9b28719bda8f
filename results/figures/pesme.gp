# pesme.gp - n* against the step as a multiple of its automatic value
# written by: biasweep plot pesme --catalog 'results/pesme.sqlite' -o 'results/figures/pesme.png'
# Edit and redraw with: gnuplot PATH/TO/THIS.gp  (the data are read from this script's directory)

set encoding utf8
here = ''   # this script's directory, from its path (ARG0)
if (exists('ARG0') && strlen(ARG0) > 0) { do for [i = strlen(ARG0):1:-1] { if (here eq '' && ARG0[i:i] eq '/') { here = ARG0[1:i] } } }
set terminal pngcairo size 1200,728 enhanced font 'Sans,12'
set output here.'pesme.png'
set datafile missing 'NaN'
set style line 100 lc rgb '#bbbbbb' lw 1
set grid lt 1 lw 0.8 lc rgb '#e6e6e6'
set border lw 1.2
dat = here.'pesme.dat'

set multiplot title 'n^* against the step η / η_{auto} (rademacher design, signs w^*, ε = 0.1)' font ',14'
unset key
set xlabel 'η / η_{auto}'
set ylabel 'n^* (50% success over the seeds)'
set y2label 'share of runs that diverged' tc rgb '#b2182b'
set y2range [0:1.05]
set y2tics 0.2 tc rgb '#b2182b' nomirror
set ytics nomirror
set xrange [0:8.5]

# ---- panel 0: d = 64, kappa = 2
set origin 0.0000,0.2857
set size 0.5000,0.6319
unset label
set title 'd = 64, κ = 2'
set yrange [0:69.12]
set label 1 'gd n^* = 39.5 [37.6, 42]' at graph 0.03, first 39.5 offset 0,0.8 tc rgb '#1f77b4' front
plot (39.5) with lines lc rgb '#1f77b4' lw 2 dt 2, \
  '+' using 1:(37.571428571428569):(42) with filledcurves lc rgb '#1f77b4' fs transparent solid 0.15 noborder, \
  dat index 2 using 11:21 axes x1y2 with linespoints lc rgb '#b2182b' dt 3 pt 6 ps 1.1 lw 1.5, \
  dat index 2 using 11:12 with lines lc rgb '#ff7f0e' lw 1.5, \
  dat index 2 using 11:12:13:(valid(14) ? $14 : $18) with yerrorbars lc rgb '#ff7f0e' pt 13 ps 1.1 lw 1.5, \
  dat index 2 using 11:($15 == 2 ? $18 : 1/0) with points lc rgb '#ff7f0e' pt 9 ps 1.8, \
  (9.292619092612977) with lines lc rgb '#555555' dt 4 lw 1.5

# ---- panel 1: d = 128, kappa = 4
set origin 0.5000,0.2857
set size 0.5000,0.6319
unset label
set title 'd = 128, κ = 4'
set yrange [0:138.24]
set label 2 'gd n^* = 76 [72.8, 85.2]' at graph 0.03, first 76 offset 0,0.8 tc rgb '#1f77b4' front
plot (76) with lines lc rgb '#1f77b4' lw 2 dt 2, \
  '+' using 1:(72.75):(85.25) with filledcurves lc rgb '#1f77b4' fs transparent solid 0.15 noborder, \
  dat index 3 using 11:21 axes x1y2 with linespoints lc rgb '#b2182b' dt 3 pt 6 ps 1.1 lw 1.5, \
  dat index 3 using 11:12 with lines lc rgb '#ff7f0e' lw 1.5, \
  dat index 3 using 11:12:13:(valid(14) ? $14 : $18) with yerrorbars lc rgb '#ff7f0e' pt 13 ps 1.1 lw 1.5, \
  dat index 3 using 11:($15 == 2 ? $18 : 1/0) with points lc rgb '#ff7f0e' pt 9 ps 1.8, \
  (18.585238185225954) with lines lc rgb '#555555' dt 4 lw 1.5

# ---- legend
set origin 0,0
set size 1,0.2857
unset border
unset tics
unset xlabel
unset ylabel
unset y2label
unset title
unset grid
unset label
set xrange [0:1]
set yrange [0:1]
set key inside center center vertical Left reverse nobox font ',11' spacing 1.3 samplen 4
plot -1 with lines notitle, \
  keyentry with lines lc rgb '#1f77b4' lw 2 dt 2 title 'gd α=0.1 (automatic step): the reference n^* (dashed, written in the panel; band: its 95% interval)', \
  keyentry with yerrorbars lc rgb '#ff7f0e' pt 13 ps 1.1 lw 1.5 title 'sgd α=0.1, B=1: n^* with its 95% bootstrap interval over the seeds', \
  keyentry with lines lc rgb '#555555' dt 4 lw 1.5 title 'Donoho–Tanner ℓ_1 transition n_{50} = d ψ(κ/d): the limit as α_∞ → 0', \
  keyentry with points lc rgb 'black' pt 9 ps 1.8 title 'n^* above the largest n tried (drawn at it)', \
  keyentry with linespoints lc rgb '#b2182b' dt 3 pt 6 ps 1.1 lw 1.5 title 'share of the runs (search probes) that diverged, right axis'

unset multiplot
set output
