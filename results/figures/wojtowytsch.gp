# wojtowytsch.gp - linear convergence of constant-step sgd (loss-scaled noise) on one instance
# written by: biasweep plot wojtowytsch --catalog 'results/wojtowytsch.sqlite' --where 'n=32' --where 'seed=0' -o 'results/figures/wojtowytsch.png'
# Edit and redraw with: gnuplot PATH/TO/THIS.gp  (the data are read from this script's directory)

set encoding utf8
here = ''   # this script's directory, from its path (ARG0)
if (exists('ARG0') && strlen(ARG0) > 0) { do for [i = strlen(ARG0):1:-1] { if (here eq '' && ARG0[i:i] eq '/') { here = ARG0[1:i] } } }
set terminal pngcairo size 1280,884 enhanced font 'Sans,12'
set output here.'wojtowytsch.png'
set datafile missing 'NaN'
set style line 100 lc rgb '#bbbbbb' lw 1
set grid lt 1 lw 0.8 lc rgb '#e6e6e6'
set border lw 1.2
dat = here.'wojtowytsch.dat'
ratedat = here.'wojtowytsch-rate.dat'
Lam = 0.08618564954143781
CL = 7.708176867127138
sg = 55.17472735810018
rho(x) = 1 - Lam*x + CL*(1 + sg)*x**2/(2*Lam)   # the lemma's, as stated
rho2(x) = 1 - Lam*x + CL*(Lam + sg)*x**2/2       # the descent lemma's (docs/model.md)

set multiplot title 'Loss-scaled noise: sgd on one instance, d = 64, κ = 2, n = 32, seed 0, α = 0.1 (rademacher design, signs w^*)' font ',14'
unset key

# ---- panel (a): the loss against k eta
set origin 0,0.3778
set size 0.5,0.5656
set title 'training loss L (log scale) of each run: straight = linear convergence'
set xlabel 'steps k × η  (= simulated time t; a run at step η takes t/η steps)'
set ylabel 'L = (1/n)||Zw − y||^2'
set logscale y
set format y '10^{%L}'
set xrange [0:233.964]
plot dat index 0 using 2:($3 > 0 ? $3 : 1/0) with linespoints lc rgb '#313695' pt 7 ps 0.5 lw 1.5, \
  dat index 1 using 2:($3 > 0 ? $3 : 1/0) with linespoints lc rgb '#4575b4' pt 7 ps 0.5 lw 1.5, \
  dat index 2 using 2:($3 > 0 ? $3 : 1/0) with linespoints lc rgb '#74add1' pt 7 ps 0.5 lw 1.5, \
  dat index 3 using 2:($3 > 0 ? $3 : 1/0) with linespoints lc rgb '#1a9850' pt 7 ps 0.5 lw 1.5, \
  dat index 4 using 2:($3 > 0 ? $3 : 1/0) with linespoints lc rgb '#66a61e' pt 7 ps 0.5 lw 1.5, \
  dat index 5 using 2:($3 > 0 ? $3 : 1/0) with linespoints lc rgb '#fdae61' pt 7 ps 0.5 lw 1.5, \
  dat index 6 using 2:($3 > 0 ? $3 : 1/0) with linespoints lc rgb '#f46d43' pt 7 ps 0.5 lw 1.5, \
  dat index 7 using 2:($3 > 0 ? $3 : 1/0) with linespoints lc rgb '#d73027' pt 7 ps 0.5 lw 1.5, \
  ratedat every ::0::0 using ($15*$1/2):(exp($16 - $5*$15/2)):($15*$1/2):(exp($16) - exp($16 - $5*$15/2)) with vectors nohead lc rgb 'black' dt 2 lw 1.2, \
  ratedat every ::1::1 using ($15*$1/2):(exp($16 - $5*$15/2)):($15*$1/2):(exp($16) - exp($16 - $5*$15/2)) with vectors nohead lc rgb 'black' dt 2 lw 1.2, \
  ratedat every ::2::2 using ($15*$1/2):(exp($16 - $5*$15/2)):($15*$1/2):(exp($16) - exp($16 - $5*$15/2)) with vectors nohead lc rgb 'black' dt 2 lw 1.2, \
  ratedat every ::3::3 using ($15*$1/2):(exp($16 - $5*$15/2)):($15*$1/2):(exp($16) - exp($16 - $5*$15/2)) with vectors nohead lc rgb 'black' dt 2 lw 1.2, \
  ratedat every ::4::4 using ($15*$1/2):(exp($16 - $5*$15/2)):($15*$1/2):(exp($16) - exp($16 - $5*$15/2)) with vectors nohead lc rgb 'black' dt 2 lw 1.2, \
  ratedat every ::5::5 using ($15*$1/2):(exp($16 - $5*$15/2)):($15*$1/2):(exp($16) - exp($16 - $5*$15/2)) with vectors nohead lc rgb 'black' dt 2 lw 1.2, \
  ratedat every ::6::6 using ($15*$1/2):(exp($16 - $5*$15/2)):($15*$1/2):(exp($16) - exp($16 - $5*$15/2)) with vectors nohead lc rgb 'black' dt 2 lw 1.2, \
  ratedat every ::7::7 using ($15*$1/2):(exp($16 - $5*$15/2)):($15*$1/2):(exp($16) - exp($16 - $5*$15/2)) with vectors nohead lc rgb 'black' dt 2 lw 1.2

# ---- panel (b): the rate against eta
set origin 0.5,0.3778
set size 0.5,0.5656
unset logscale
set logscale xy
set format x '10^{%L}'
set format y '10^{%L}'
set autoscale x
set autoscale y
set title 'decay rate of ln L per step against the step η'
set xlabel 'η'
set ylabel '−d ln L / dk  (per step)'
set xrange [5.71816e-07:0.064]
set yrange [1.64274e-08:0.0165476]
set samples 400
plot ratedat using 1:($6 > 0 ? $6 : 1/0) with points lc rgb 'black' pt 7 ps 1.4, \
  ratedat using 1:($11 > 0 ? $11 : 1/0) with linespoints lc rgb '#1f77b4' pt 4 ps 1.1 lw 1.5 dt 2, \
  (rho(x) > 0 && rho(x) < 1 ? -log(rho(x)) : 1/0) with lines lc rgb '#d62728' lw 2, \
  (rho2(x) > 0 && rho2(x) < 1 ? -log(rho2(x)) : 1/0) with lines lc rgb '#8c2d04' lw 2 dt 4, \
  '+' using (0.00040466461265040507):(10**(log10(1.64274e-08) + (log10(0.0165476) - log10(1.64274e-08))*($0/399.))) with lines lc rgb '#d62728' dt 3 lw 1.5

# ---- legend
set origin 0,0
set size 1,0.3778
unset border
unset tics
unset xlabel
unset ylabel
unset title
unset grid
unset logscale
set xrange [0:1]
set yrange [0:1]
set key inside center center vertical Left reverse nobox font ',11' spacing 1.15 samplen 3
plot -1 with lines notitle, \
  keyentry with linespoints lc rgb '#313695' pt 7 ps 0.5 lw 1.5 title '(a) η = 1e-05: converged after 13570048 steps; fitted −d ln L/dk = 8.72e-07, Λη = 8.62e-07', \
  keyentry with linespoints lc rgb '#4575b4' pt 7 ps 0.5 lw 1.5 title '(a) η = 3e-05: converged after 4509696 steps; fitted −d ln L/dk = 2.61e-06, Λη = 2.58e-06', \
  keyentry with linespoints lc rgb '#74add1' pt 7 ps 0.5 lw 1.5 title '(a) η = 0.0001: converged after 1342464 steps; fitted −d ln L/dk = 8.71e-06, Λη = 8.61e-06', \
  keyentry with linespoints lc rgb '#1a9850' pt 7 ps 0.5 lw 1.5 title '(a) η = 0.0003: converged after 430592 steps; fitted −d ln L/dk = 2.65e-05, Λη = 2.58e-05', \
  keyentry with linespoints lc rgb '#66a61e' pt 7 ps 0.5 lw 1.5 title '(a) η = 0.001: converged after 128512 steps; fitted −d ln L/dk = 8.81e-05, Λη = 8.51e-05', \
  keyentry with linespoints lc rgb '#fdae61' pt 7 ps 0.5 lw 1.5 title '(a) η = 0.004: converged after 35328 steps; fitted −d ln L/dk = 0.000331, Λη = 0.000327', \
  keyentry with linespoints lc rgb '#f46d43' pt 7 ps 0.5 lw 1.5 title '(a) η = 0.016: converged after 10240 steps; fitted −d ln L/dk = 0.00113, Λη = 0.00109', \
  keyentry with linespoints lc rgb '#d73027' pt 7 ps 0.5 lw 1.5 title '(a) η = 0.032: converged after 7168 steps; fitted −d ln L/dk = 0.00174, Λη = 0.00152', \
  keyentry with lines lc rgb 'black' dt 2 lw 1.2 title '(a) the fitted slope over the run''s second half (loss\_rate)', \
  keyentry with points lc rgb 'black' pt 7 ps 1.4 title '(b) measured: −loss\_rate', \
  keyentry with linespoints lc rgb '#1f77b4' pt 4 ps 1.1 lw 1.5 dt 2 title '(b) first-order term Λη (Λ at each run''s end)', \
  keyentry with lines lc rgb '#d62728' lw 2 title '(b) the lemma''s rate −ln ρ_η, ρ_η = 1 − Λη + C_L(1+σ)η^2/(2Λ) (Λ = 0.0862, C_L = 7.71, σ = 55.2: the run at η = 1e-05)', \
  keyentry with lines lc rgb '#8c2d04' lw 2 dt 4 title '(b) the descent-lemma rate −ln(1 − Λη + C_L(Λ+σ)η^2/2), below 0 exactly beyond the step bound', \
  keyentry with lines lc rgb '#d62728' dt 3 lw 1.5 title '(b) the lemma''s step bound η < Λ/(Λ+σ)·2/C_L = 0.000405'

unset multiplot
set output
