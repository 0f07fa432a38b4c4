// In-memory raster images used by the PNG readers and the visualiser.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace concord::formats {

/// Interleaved 8-bit image, row-major, top row first: pixel (u, v) channel c is
/// data[(v * width + u) * channels + c]. channels = 3 for RGB, 1 for gray.
struct Image8 {
  int width = 0;
  int height = 0;
  int channels = 3;
  std::vector<std::uint8_t> data;

  Image8() = default;
  /// Allocates width x height x channels bytes set to `fill`.
  Image8(int w, int h, int c, std::uint8_t fill = 0)
      : width(w),
        height(h),
        channels(c),
        data(
            static_cast<std::size_t>(w) * static_cast<std::size_t>(h) * static_cast<std::size_t>(c),
            fill) {}
  /// Pointer to the first channel of pixel (u, v); no bounds check.
  std::uint8_t* at(int u, int v) {
    return data.data() + (static_cast<std::size_t>(v) * static_cast<std::size_t>(width) +
                          static_cast<std::size_t>(u)) *
                             static_cast<std::size_t>(channels);
  }
  const std::uint8_t* at(int u, int v) const {
    return data.data() + (static_cast<std::size_t>(v) * static_cast<std::size_t>(width) +
                          static_cast<std::size_t>(u)) *
                             static_cast<std::size_t>(channels);
  }
};

/// Single-channel 16-bit image, row-major, top row first.
struct Image16 {
  int width = 0;
  int height = 0;
  std::vector<std::uint16_t> data;
};

/// Metric depth map: depth along the camera's optical axis in metres, row-major,
/// top row first; 0 = no measurement.
struct DepthImage {
  int width = 0;
  int height = 0;
  std::vector<float> meters;
};

}  // namespace concord::formats
