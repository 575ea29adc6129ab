# scaling.gp - draws gateway-bench's scaling curve (--scaling FILE) as an SVG:
#   gnuplot -e "datafile='bench/gateway-scaling.dat'; outfile='bench/scaling.svg'" bench/scaling.gp
# Columns: threads, ideal ops/s, the plugin's ops/s, the bare libcurl client's ops/s.
set terminal svg size 720,440 dynamic font 'sans,12' background rgb 'white'
set output outfile
set title 'gateway cycles/s (create + grant with QoS + revoke + delete, 2 ms per request)'
set logscale x 2
set logscale y 2
set xlabel 'threads'
set ylabel 'cycles/s'
set key top left
set grid
plot datafile using 1:2 with linespoints dashtype 2 linewidth 2 title 'ideal (threads / (requests x latency))', \
     '' using 1:3 with linespoints linewidth 2 title 'plugin', \
     '' using 1:4 with linespoints linewidth 2 title 'bare libcurl client'
