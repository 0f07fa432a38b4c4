#include "concord/viz/canvas.hpp"

#include <algorithm>
#include <cmath>
#include <cstdlib>

namespace concord::viz {
namespace {

// 3x5 glyphs, one row per entry, bit 2 = left column.
struct Glyph {
  char ch;
  std::uint8_t rows[5];
};

constexpr Glyph kFont[] = {
    {'0', {7, 5, 5, 5, 7}}, {'1', {2, 6, 2, 2, 7}}, {'2', {7, 1, 7, 4, 7}}, {'3', {7, 1, 7, 1, 7}},
    {'4', {5, 5, 7, 1, 1}}, {'5', {7, 4, 7, 1, 7}}, {'6', {7, 4, 7, 5, 7}}, {'7', {7, 1, 1, 1, 1}},
    {'8', {7, 5, 7, 5, 7}}, {'9', {7, 5, 7, 1, 7}}, {'.', {0, 0, 0, 0, 2}}, {'-', {0, 0, 7, 0, 0}},
    {'m', {0, 0, 7, 7, 5}},
};

// Clips the segment to [lo_u, hi_u] x [lo_v, hi_v]; false when fully outside.
bool clip(double& u0, double& v0, double& u1, double& v1, double lo_u, double lo_v, double hi_u,
          double hi_v) {
  double t0 = 0.0, t1 = 1.0;
  const double du = u1 - u0, dv = v1 - v0;
  const double p[4] = {-du, du, -dv, dv};
  const double q[4] = {u0 - lo_u, hi_u - u0, v0 - lo_v, hi_v - v0};
  for (int i = 0; i < 4; ++i) {
    if (p[i] == 0.0) {
      if (q[i] < 0.0) return false;
    } else {
      const double t = q[i] / p[i];
      if (p[i] < 0.0) {
        t0 = std::max(t0, t);
      } else {
        t1 = std::min(t1, t);
      }
    }
  }
  if (t0 > t1) return false;
  const double nu0 = u0 + t0 * du, nv0 = v0 + t0 * dv;
  u1 = u0 + t1 * du;
  v1 = v0 + t1 * dv;
  u0 = nu0;
  v0 = nv0;
  return true;
}

}  // namespace

Canvas::Canvas(int width, int height, Rgb bg) : image_(width, height, 3) {
  for (std::size_t i = 0; i + 2 < image_.data.size(); i += 3) {
    image_.data[i] = bg.r;
    image_.data[i + 1] = bg.g;
    image_.data[i + 2] = bg.b;
  }
}

Canvas::Canvas(formats::Image8 image) : image_(std::move(image)) {
  if (image_.channels == 1) {
    formats::Image8 rgb(image_.width, image_.height, 3);
    for (std::size_t i = 0; i < image_.data.size(); ++i) {
      rgb.data[3 * i] = rgb.data[3 * i + 1] = rgb.data[3 * i + 2] = image_.data[i];
    }
    image_ = std::move(rgb);
  } else if (image_.channels != 3) {
    formats::Image8 rgb(image_.width, image_.height, 3);
    const auto ch = static_cast<std::size_t>(image_.channels);
    for (std::size_t i = 0; i < rgb.data.size() / 3; ++i) {
      for (std::size_t k = 0; k < 3; ++k)
        rgb.data[3 * i + k] = image_.data[i * ch + std::min(k, ch - 1)];
    }
    image_ = std::move(rgb);
  }
}

Rgb Canvas::pixel(int u, int v) const {
  if (u < 0 || v < 0 || u >= image_.width || v >= image_.height) return {};
  const std::uint8_t* p = image_.at(u, v);
  return {p[0], p[1], p[2]};
}

void Canvas::set_pixel(int u, int v, Rgb c) {
  if (u < 0 || v < 0 || u >= image_.width || v >= image_.height) return;
  std::uint8_t* p = image_.at(u, v);
  p[0] = c.r;
  p[1] = c.g;
  p[2] = c.b;
}

void Canvas::stamp(int u, int v, int size, Rgb c) {
  if (size <= 1) {
    set_pixel(u, v, c);
    return;
  }
  const int lo = -(size - 1) / 2;
  for (int dv = lo; dv < lo + size; ++dv) {
    for (int du = lo; du < lo + size; ++du) set_pixel(u + du, v + dv, c);
  }
}

void Canvas::draw_line(double u0, double v0, double u1, double v1, Rgb c, int thickness) {
  if (!std::isfinite(u0) || !std::isfinite(v0) || !std::isfinite(u1) || !std::isfinite(v1)) return;
  const double m = thickness + 1.0;
  if (!clip(u0, v0, u1, v1, -m, -m, image_.width - 1 + m, image_.height - 1 + m)) return;
  int x0 = static_cast<int>(std::lround(u0)), y0 = static_cast<int>(std::lround(v0));
  const int x1 = static_cast<int>(std::lround(u1)), y1 = static_cast<int>(std::lround(v1));
  const int dx = std::abs(x1 - x0), sx = x0 < x1 ? 1 : -1;
  const int dy = -std::abs(y1 - y0), sy = y0 < y1 ? 1 : -1;
  int err = dx + dy;
  while (true) {
    stamp(x0, y0, thickness, c);
    if (x0 == x1 && y0 == y1) break;
    const int e2 = 2 * err;
    if (e2 >= dy) {
      err += dy;
      x0 += sx;
    }
    if (e2 <= dx) {
      err += dx;
      y0 += sy;
    }
  }
}

void Canvas::draw_polygon(const std::vector<std::pair<double, double>>& uv, Rgb c, int thickness) {
  for (std::size_t i = 0; i < uv.size(); ++i) {
    const auto& a = uv[i];
    const auto& b = uv[(i + 1) % uv.size()];
    draw_line(a.first, a.second, b.first, b.second, c, thickness);
  }
}

void Canvas::fill_rect(int u0, int v0, int u1, int v1, Rgb c) {
  for (int v = std::max(0, std::min(v0, v1)); v <= std::min(image_.height - 1, std::max(v0, v1));
       ++v) {
    for (int u = std::max(0, std::min(u0, u1)); u <= std::min(image_.width - 1, std::max(u0, u1));
         ++u) {
      set_pixel(u, v, c);
    }
  }
}

void Canvas::fill_disc(int u, int v, int radius, Rgb c) {
  for (int dv = -radius; dv <= radius; ++dv) {
    for (int du = -radius; du <= radius; ++du) {
      if (du * du + dv * dv <= radius * radius) set_pixel(u + du, v + dv, c);
    }
  }
}

void Canvas::draw_text(int u, int v, const std::string& text, Rgb c, int scale) {
  scale = std::max(1, scale);
  int x = u;
  for (char ch : text) {
    for (const Glyph& g : kFont) {
      if (g.ch != ch) continue;
      for (int r = 0; r < 5; ++r) {
        for (int col = 0; col < 3; ++col) {
          if ((g.rows[r] >> (2 - col)) & 1) {
            fill_rect(x + col * scale, v + r * scale, x + col * scale + scale - 1,
                      v + r * scale + scale - 1, c);
          }
        }
      }
    }
    x += 4 * scale;
  }
}

}  // namespace concord::viz
