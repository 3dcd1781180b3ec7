// Inline SVG line charts (see svg.h).
#include "svg.h"

#include <math.h>
#include <stdbool.h>
#include <string.h>
#include <time.h>

// The plot area inside the viewBox, in SVG user units.
#define VIEW_W 540.0
#define VIEW_H 300.0
#define PLOT_L 70.0
#define PLOT_R 26.0
#define PLOT_T 10.0
#define PLOT_B 42.0
#define MAX_TICKS 12

// Colours (Okabe and Ito's palette, safe for the common colour-vision
// deficiencies) and dash patterns; style i uses both entries i.
static const char *const colours[] = {"#0072b2", "#d55e00", "#009e73",
                                      "#cc79a7", "#e69f00", "#56b4e9"};
static const char *const dashes[] = {"", "7 4", "2 3", "9 3 2 3", "4 2", "1 2"};
#define NUM_STYLES 6

void svg_text(FILE *f, const char *s) {
  for (; *s != '\0'; s++) {
    switch (*s) {
      case '&':
        fputs("&amp;", f);
        break;
      case '<':
        fputs("&lt;", f);
        break;
      case '>':
        fputs("&gt;", f);
        break;
      case '"':
        fputs("&quot;", f);
        break;
      case '\'':
        fputs("&#39;", f);
        break;
      default:
        fputc(*s, f);
    }
  }
}

// nice_step returns a round step (1, 2, 2.5 or 5 times a power of ten) that
// cuts |span| into about |parts| intervals.
static double nice_step(double span, double parts) {
  double raw = span / parts;
  double mag = pow(10, floor(log10(raw)));
  static const double mult[] = {1, 2, 2.5, 5, 10};
  for (size_t i = 0; i < sizeof(mult) / sizeof(mult[0]); i++) {
    if (mag * mult[i] >= raw) return mag * mult[i];
  }
  return mag * 10;
}

// seconds_step returns a step of whole seconds, minutes, hours or days.
static double seconds_step(double span, double parts) {
  static const double steps[] = {1,      2,       5,      10,    15,    30,
                                 60,     120,     300,    600,   900,   1800,
                                 3600,   7200,    21600,  43200, 86400, 172800,
                                 604800, 1209600, 2592000};
  double raw = span / parts;
  for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
    if (steps[i] >= raw) return steps[i];
  }
  return nice_step(span, parts);
}

// tick_label writes the label of the tick at |v| on an axis of |kind|
// whose ticks are |step| apart.
static void tick_label(char *out, size_t len, enum svg_axis_kind kind, double v,
                       double step) {
  switch (kind) {
    case SVG_AXIS_DURATION: {
      static const struct {
        double ns;
        const char *unit;
      } units[] = {{1e9, "s"}, {1e6, "ms"}, {1e3, "us"}, {1, "ns"}};
      size_t u = 0;
      while (u + 1 < sizeof(units) / sizeof(units[0]) && step < units[u].ns) {
        u++;
      }
      snprintf(out, len, "%g%s", v / units[u].ns, units[u].unit);
      return;
    }
    case SVG_AXIS_SECONDS:
      if (step >= 3600) {
        snprintf(out, len, "%gh", v / 3600);
      } else if (step >= 60) {
        snprintf(out, len, "%gm", v / 60);
      } else {
        snprintf(out, len, "%gs", v);
      }
      return;
    case SVG_AXIS_DATE: {
      time_t t = (time_t)v;
      struct tm tm;
      gmtime_r(&t, &tm);
      strftime(out, len, step >= 86400 ? "%m-%d" : "%m-%d %H:%M", &tm);
      return;
    }
    case SVG_AXIS_PERCENTILE: {
      int nines = (int)lround(v);
      if (nines <= 0) {
        snprintf(out, len, "0%%");
      } else if (nines == 1) {
        snprintf(out, len, "90%%");
      } else if (nines == 2) {
        snprintf(out, len, "99%%");
      } else {
        snprintf(out, len, "99.%.*s%%", nines - 2, "9999999999");
      }
      return;
    }
    case SVG_AXIS_NUMBER:
    default:
      if (fabs(v) >= 1e6) {
        snprintf(out, len, "%gM", v / 1e6);
      } else if (fabs(v) >= 1e4) {
        snprintf(out, len, "%gk", v / 1e3);
      } else {
        snprintf(out, len, "%g", v);
      }
  }
}

struct range {
  double min, max, step;
};

// axis_range widens [lo, hi] to whole ticks of an axis of |kind|.
static struct range axis_range(enum svg_axis_kind kind, double lo, double hi) {
  struct range r;
  if (kind == SVG_AXIS_PERCENTILE) {
    r.min = 0;
    r.max = fmax(2, ceil(hi - 1e-9));
    r.step = 1;
    return r;
  }
  if (!(hi > lo)) hi = lo + (kind == SVG_AXIS_DATE ? 86400 : 1);
  double span = hi - lo;
  r.step = kind == SVG_AXIS_SECONDS || kind == SVG_AXIS_DATE
               ? seconds_step(span, 6)
               : nice_step(span, 5);
  r.min = floor(lo / r.step) * r.step;
  r.max = ceil(hi / r.step) * r.step;
  while ((r.max - r.min) / r.step > MAX_TICKS) r.step *= 2;
  r.max = r.min + ceil((r.max - r.min) / r.step) * r.step;
  return r;
}

// data_bounds finds the extent of every finite point; returns false when
// there is none.
static bool data_bounds(const struct svg_chart *c, double *x0, double *x1,
                        double *y1) {
  bool any = false;
  *x0 = INFINITY;
  *x1 = -INFINITY;
  *y1 = 0;
  for (size_t s = 0; s < c->num_series; s++) {
    const struct svg_series *se = &c->series[s];
    for (size_t i = 0; i < se->n; i++) {
      if (!isfinite(se->x[i]) || !isfinite(se->y[i])) continue;
      any = true;
      *x0 = fmin(*x0, se->x[i]);
      *x1 = fmax(*x1, se->x[i]);
      *y1 = fmax(*y1, se->y[i]);
    }
  }
  return any;
}

static void axes(FILE *f, const struct svg_chart *c, const struct range *xr,
                 const struct range *yr) {
  double pw = VIEW_W - PLOT_L - PLOT_R, ph = VIEW_H - PLOT_T - PLOT_B;
  char label[48];
  fputs("<g class=\"grid\">", f);
  for (double v = yr->min; v <= yr->max + yr->step / 2; v += yr->step) {
    double y = PLOT_T + ph - (v - yr->min) / (yr->max - yr->min) * ph;
    tick_label(label, sizeof(label), c->y.kind, v, yr->step);
    fprintf(f,
            "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>"
            "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\">%s</text>",
            PLOT_L, y, PLOT_L + pw, y, PLOT_L - 6, y + 4, label);
  }
  for (double v = xr->min; v <= xr->max + xr->step / 2; v += xr->step) {
    double x = PLOT_L + (v - xr->min) / (xr->max - xr->min) * pw;
    tick_label(label, sizeof(label), c->x.kind, v, xr->step);
    fprintf(f,
            "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>"
            "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">%s</text>",
            x, PLOT_T, x, PLOT_T + ph, x, PLOT_T + ph + 16, label);
  }
  fputs("</g><g class=\"axis-label\">", f);
  fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">",
          PLOT_L + pw / 2, VIEW_H - 6);
  svg_text(f, c->x.label);
  fprintf(f,
          "</text><text transform=\"rotate(-90)\" x=\"%.1f\" y=\"14\" "
          "text-anchor=\"middle\">",
          -(PLOT_T + ph / 2));
  svg_text(f, c->y.label);
  fputs("</text></g>", f);
}

// polylines draws |s|, one <polyline> per run of finite points.
static void polylines(FILE *f, const struct svg_series *s,
                      const struct range *xr, const struct range *yr) {
  double pw = VIEW_W - PLOT_L - PLOT_R, ph = VIEW_H - PLOT_T - PLOT_B;
  int st = s->style % NUM_STYLES;
  bool open = false;
  for (size_t i = 0; i <= s->n; i++) {
    bool ok = i < s->n && isfinite(s->x[i]) && isfinite(s->y[i]);
    if (!ok) {
      if (open) fputs("\"/>", f);
      open = false;
      continue;
    }
    if (!open) {
      fprintf(f,
              "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"2\" "
              "stroke-dasharray=\"%s\" points=\"",
              colours[st], dashes[st]);
      open = true;
    }
    fprintf(f, "%.1f,%.1f ",
            PLOT_L + (s->x[i] - xr->min) / (xr->max - xr->min) * pw,
            PLOT_T + ph - (s->y[i] - yr->min) / (yr->max - yr->min) * ph);
  }
}

static void legend(FILE *f, const struct svg_chart *c) {
  fputs("<ul class=\"legend\">", f);
  for (size_t s = 0; s < c->num_series; s++) {
    int st = c->series[s].style % NUM_STYLES;
    fprintf(f,
            "<li><svg width=\"30\" height=\"10\" aria-hidden=\"true\"><line "
            "x1=\"1\" y1=\"5\" x2=\"29\" y2=\"5\" stroke=\"%s\" "
            "stroke-width=\"2.5\" stroke-dasharray=\"%s\"/></svg>",
            colours[st], dashes[st]);
    svg_text(f, c->series[s].name);
    fputs("</li>", f);
  }
  fputs("</ul>", f);
}

void svg_line_chart(FILE *f, const struct svg_chart *c) {
  fputs("<figure class=\"chart\"><figcaption>", f);
  svg_text(f, c->title);
  fputs("</figcaption>", f);
  double x0, x1, y1;
  if (!data_bounds(c, &x0, &x1, &y1)) {
    fputs("<p class=\"empty\">no data</p></figure>\n", f);
    return;
  }
  struct range xr = axis_range(c->x.kind, x0, x1);
  struct range yr = axis_range(
      c->y.kind == SVG_AXIS_PERCENTILE ? SVG_AXIS_NUMBER : c->y.kind, 0, y1);
  fprintf(f,
          "<svg viewBox=\"0 0 %.0f %.0f\" role=\"img\" "
          "preserveAspectRatio=\"xMidYMid meet\"><title>",
          VIEW_W, VIEW_H);
  svg_text(f, c->title);
  fputs("</title>", f);
  axes(f, c, &xr, &yr);
  for (size_t s = 0; s < c->num_series; s++) {
    polylines(f, &c->series[s], &xr, &yr);
  }
  fputs("</svg>", f);
  legend(f, c);
  fputs("</figure>\n", f);
}
