// Line charts as inline SVG for `mtlskit report html`: axes with rounded
// ticks, one polyline per series told apart by colour AND dash pattern (so
// a chart reads in greyscale and on paper), and a legend. The chart scales
// with its container (viewBox) and carries a <title> for screen readers.
#ifndef MTK_REPORTS_SVG_H
#define MTK_REPORTS_SVG_H

#include <stddef.h>
#include <stdio.h>

// How the values of an axis are spaced and labelled.
enum svg_axis_kind {
  SVG_AXIS_NUMBER,    // linear, plain numbers ("1.5k")
  SVG_AXIS_DURATION,  // linear, nanoseconds labelled "2ms", "500us"
  SVG_AXIS_SECONDS,   // linear, seconds since the start ("90s", "2m")
  SVG_AXIS_DATE,      // linear, seconds since the epoch labelled "12-03"
  // x = log10(1 / (1 - p)) for a percentile p, labelled "90%", "99.9%":
  // HdrHistogram's percentile-distribution axis.
  SVG_AXIS_PERCENTILE,
};

struct svg_axis {
  enum svg_axis_kind kind;
  const char *label;
};

struct svg_series {
  const char *name;  // legend text
  size_t n;          // points
  const double *x;
  const double *y;
  int style;  // colour and dash: series with the same style look the same
};

struct svg_chart {
  const char *title;  // heading above the plot and the SVG's <title>
  struct svg_axis x, y;
  const struct svg_series *series;
  size_t num_series;
};

// svg_line_chart writes |c| as one <figure> holding an inline <svg>. The x
// range covers every point; the y range starts at 0. A chart without any
// point says so instead of drawing empty axes.
void svg_line_chart(FILE *f, const struct svg_chart *c);

// svg_text writes |s| escaped for HTML or SVG text and attribute values.
void svg_text(FILE *f, const char *s);

#endif  // MTK_REPORTS_SVG_H
