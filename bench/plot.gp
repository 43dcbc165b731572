# SPDX-License-Identifier: GPL-2.0
#
# Plots of the sweeps: gnuplot -e "dir='results'" bench/plot.gp
#
# CSV columns (bench/README.md): 3 nr_folios, 5 tracker, 6 strategy,
# 9 tracker_bytes, 11 handover_bytes, 14 deserialize_ns.

if (!exists("dir")) dir = "results"

set datafile separator ","
set terminal pngcairo size 900,600 enhanced font ",11"
set logscale xy
set grid xtics ytics mxtics mytics lc rgb "#dddddd"
set key top left
set xlabel "preserved folios"
set format x "10^{%T}"

# the rows of one tracker and strategy, so that each series is one line
rows(f, t, s) = sprintf("< awk -F, '$5 == \"%s\" && $6 == \"%s\"' %s", t, s, f)

do for [kind in "rapoport scatter"] {
	f = sprintf("%s/sweep-%s.csv", dir, kind)
	if (system(sprintf("test -s %s && echo y", f)) eq "y") {
		set output sprintf("%s/sweep-%s-deserialize.png", dir, kind)
		set title sprintf("sweep-%s: deserialize time (real mm/memblock.c, median)", kind)
		set ylabel "deserialize time [ms]"
		plot rows(f, "bitmap-6.16", "bitmap") using 3:($14 / 1e6) with linespoints lw 2 pt 7 title "bitmap (upstream 6.16)", \
		     rows(f, "bitmap-6.16", "bitmap-bulk") using 3:($14 / 1e6) with linespoints lw 2 pt 5 title "bitmap-bulk", \
		     rows(f, "radix", "radix") using 3:($14 / 1e6) with linespoints lw 2 pt 13 title "radix (upstream since 2026)", \
		     rows(f, "radix", "radix-bulk") using 3:($14 / 1e6) with linespoints lw 2 pt 15 title "radix-bulk", \
		     rows(f, "ranges", "ranges") using 3:($14 / 1e6) with linespoints lw 2 pt 9 title "ranges (one call per range)", \
		     rows(f, "ranges", "ranges-bulk") using 3:($14 / 1e6) with linespoints lw 2 pt 11 title "ranges-bulk"

		set output sprintf("%s/sweep-%s-handover.png", dir, kind)
		set title sprintf("sweep-%s: bytes the next kernel reads", kind)
		set ylabel "handover bytes"
		plot rows(f, "bitmap-6.16", "bitmap") using 3:11 with linespoints lw 2 pt 7 title "bitmap 6.16 (chunks + bitmaps + FDT)", \
		     rows(f, "bitmap-6.18", "bitmap") using 3:11 with linespoints lw 2 pt 5 title "bitmap 6.18 (page-sized bitmaps)", \
		     rows(f, "radix", "radix") using 3:11 with linespoints lw 2 pt 13 title "radix (every node)", \
		     rows(f, "ranges", "ranges") using 3:11 with linespoints lw 2 pt 9 title "ranges (blob + FDT)"

		set output sprintf("%s/sweep-%s-memory.png", dir, kind)
		set title sprintf("sweep-%s: tracker memory", kind)
		set ylabel "tracker memory [bytes]"
		plot rows(f, "bitmap-6.16", "bitmap") using 3:9 with linespoints lw 2 pt 7 title "bitmap 6.16 (xa nodes + bitmaps)", \
		     rows(f, "bitmap-6.18", "bitmap") using 3:9 with linespoints lw 2 pt 5 title "bitmap 6.18", \
		     rows(f, "radix", "radix") using 3:9 with linespoints lw 2 pt 13 title "radix (nodes)", \
		     rows(f, "ranges", "ranges") using 3:9 with linespoints lw 2 pt 9 title "ranges (maple nodes)"
	}
}
