#include "concord/formats/depth_png.hpp"

#include "concord/formats/error.hpp"
#include "concord/formats/png.hpp"

#include <cmath>

namespace concord::formats {
namespace {

constexpr double kCarlaScale = 1000.0 / 16777215.0;  // metres per 24-bit code

DepthImage from_image8(const Image8& img, DepthEncoding enc, const std::string& src) {
  DepthImage d;
  d.width = img.width;
  d.height = img.height;
  const std::size_t n = static_cast<std::size_t>(img.width) * static_cast<std::size_t>(img.height);
  d.meters.resize(n);
  const auto ch = static_cast<std::size_t>(img.channels);
  if (enc == DepthEncoding::kOpv2vHU8) {
    if (img.channels != 1) {
      throw FormatError(src, "opv2v_h_u8 depth expects an 8-bit gray PNG, got " +
                                 std::to_string(img.channels) + " channels");
    }
    for (std::size_t i = 0; i < n; ++i) d.meters[i] = static_cast<float>(img.data[i]);
  } else {
    if (img.channels < 3) {
      throw FormatError(src, "carla_rgb24 depth expects an 8-bit RGB PNG, got " +
                                 std::to_string(img.channels) + " channels");
    }
    for (std::size_t i = 0; i < n; ++i) {
      const std::uint8_t* p = img.data.data() + i * ch;
      const double code = p[0] + 256.0 * p[1] + 65536.0 * p[2];
      d.meters[i] = static_cast<float>(code * kCarlaScale);
    }
  }
  return d;
}

}  // namespace

std::string to_string(DepthEncoding e) {
  switch (e) {
    case DepthEncoding::kConcordU16:
      return "concord_u16";
    case DepthEncoding::kOpv2vHU8:
      return "opv2v_h_u8";
    default:
      return "carla_rgb24";
  }
}

DepthEncoding depth_encoding_from_string(const std::string& name) {
  if (name == "concord_u16") return DepthEncoding::kConcordU16;
  if (name == "opv2v_h_u8") return DepthEncoding::kOpv2vHU8;
  if (name == "carla_rgb24") return DepthEncoding::kCarlaRgb24;
  throw FormatError("", "unknown depth encoding '" + name +
                            "' (expected concord_u16, opv2v_h_u8 or carla_rgb24)");
}

DepthImage read_depth_png(const std::filesystem::path& path, DepthEncoding enc) {
  if (enc == DepthEncoding::kConcordU16) {
    const Image16 img = read_png_gray16(path);
    DepthImage d;
    d.width = img.width;
    d.height = img.height;
    d.meters.resize(img.data.size());
    for (std::size_t i = 0; i < img.data.size(); ++i) {
      d.meters[i] = static_cast<float>(img.data[i]) / 256.0f;
    }
    return d;
  }
  return from_image8(read_png8(path), enc, path.string());
}

DepthImage read_depth_png(const std::filesystem::path& path) {
  const PngInfo info = read_png_info(path);
  if (info.channels == 1 && info.bit_depth == 16) {
    return read_depth_png(path, DepthEncoding::kConcordU16);
  }
  if (info.channels == 1) return read_depth_png(path, DepthEncoding::kOpv2vHU8);
  if (info.channels >= 3) return read_depth_png(path, DepthEncoding::kCarlaRgb24);
  throw FormatError(path.string(), "depth PNG must be gray or RGB, got " +
                                       std::to_string(info.channels) + " channels");
}

void write_depth_png(const std::filesystem::path& path, const DepthImage& depth,
                     DepthEncoding enc) {
  const std::size_t n =
      static_cast<std::size_t>(depth.width) * static_cast<std::size_t>(depth.height);
  if (depth.meters.size() != n) {
    throw FormatError(path.string(), "depth buffer size does not match width*height");
  }
  if (enc == DepthEncoding::kConcordU16) {
    Image16 img;
    img.width = depth.width;
    img.height = depth.height;
    img.data.resize(n);
    for (std::size_t i = 0; i < n; ++i) {
      const double m = depth.meters[i];
      double v = std::isfinite(m) && m > 0.0 ? std::round(m * 256.0) : 0.0;
      if (v > 65535.0) v = 65535.0;
      if (v < 1.0 && std::isfinite(m) && m > 0.0) v = 1.0;  // keep "measured" distinct from 0
      img.data[i] = static_cast<std::uint16_t>(v);
    }
    write_png_gray16(path, img);
    return;
  }
  if (enc == DepthEncoding::kOpv2vHU8) {
    Image8 img(depth.width, depth.height, 1);
    for (std::size_t i = 0; i < n; ++i) {
      const double m = depth.meters[i];
      double v = std::isfinite(m) && m > 0.0 ? std::round(m) : 0.0;
      if (v > 255.0) v = 255.0;
      img.data[i] = static_cast<std::uint8_t>(v);
    }
    write_png(path, img);
    return;
  }
  Image8 img(depth.width, depth.height, 3);
  for (std::size_t i = 0; i < n; ++i) {
    const double m = depth.meters[i];
    double code = std::isfinite(m) && m > 0.0 ? std::round(m / kCarlaScale) : 0.0;
    if (code > 16777215.0) code = 16777215.0;
    const auto c = static_cast<std::uint32_t>(code);
    img.data[3 * i + 0] = static_cast<std::uint8_t>(c & 0xffu);
    img.data[3 * i + 1] = static_cast<std::uint8_t>((c >> 8) & 0xffu);
    img.data[3 * i + 2] = static_cast<std::uint8_t>((c >> 16) & 0xffu);
  }
  write_png(path, img);
}

}  // namespace concord::formats
