// Canvas: a minimal RGB rasteriser (Bresenham lines, discs, a 3x5 digit font).
#pragma once

#include "concord/formats/image.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace concord::viz {

/// 8-bit RGB colour.
struct Rgb {
  std::uint8_t r = 0;
  std::uint8_t g = 0;
  std::uint8_t b = 0;
  bool operator==(const Rgb& o) const { return r == o.r && g == o.g && b == o.b; }
  bool operator!=(const Rgb& o) const { return !(*this == o); }
};

/// Draws on an owned 8-bit RGB image (formats::Image8, 3 channels). Pixel
/// coordinates: u = column (right), v = row (down), origin at the top-left
/// pixel's centre; real-valued inputs are rounded to the nearest pixel.
/// Everything outside the image is clipped; nothing throws.
class Canvas {
 public:
  /// Blank width x height canvas filled with `background`.
  Canvas(int width, int height, Rgb background);
  /// Wraps an existing image (converted to RGB if it has 1 channel).
  explicit Canvas(formats::Image8 image);

  int width() const { return image_.width; }
  int height() const { return image_.height; }
  const formats::Image8& image() const { return image_; }
  formats::Image8& image() { return image_; }

  /// Colour of pixel (u, v); black outside the image.
  Rgb pixel(int u, int v) const;
  /// Sets one pixel (ignored outside).
  void set_pixel(int u, int v, Rgb c);
  /// Filled square of side `size` px centred on (u, v) (size 1 = one pixel).
  void stamp(int u, int v, int size, Rgb c);
  /// Bresenham line from (u0, v0) to (u1, v1), `thickness` px wide (square
  /// brush), clipped to the image first (Liang-Barsky).
  void draw_line(double u0, double v0, double u1, double v1, Rgb c, int thickness = 1);
  /// Closed polygon outline through `uv` (u, v pairs).
  void draw_polygon(const std::vector<std::pair<double, double>>& uv, Rgb c, int thickness = 1);
  /// Filled axis-aligned rectangle [u0, u1] x [v0, v1] (inclusive).
  void fill_rect(int u0, int v0, int u1, int v1, Rgb c);
  /// Filled disc of `radius` px.
  void fill_disc(int u, int v, int radius, Rgb c);
  /// Text in a 3x5 pixel font scaled by `scale`, top-left at (u, v). Glyphs:
  /// digits, '.', '-', 'm', ' ' (others are drawn as blanks).
  void draw_text(int u, int v, const std::string& text, Rgb c, int scale = 1);

 private:
  formats::Image8 image_;
};

}  // namespace concord::viz
