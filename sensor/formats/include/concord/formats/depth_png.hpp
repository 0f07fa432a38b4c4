// Metric depth images stored as PNG (OPV2V-H `{ts}_depth{i}.png` and Concord's own).
#pragma once

#include "concord/formats/error.hpp"
#include "concord/formats/image.hpp"

#include <filesystem>
#include <string>

namespace concord::formats {

/// How a PNG stores metric depth (depth along the optical axis, metres).
///  - kConcordU16: Concord's encoding, written by write_depth_png. 16-bit gray,
///    depth_m = value / 256 (resolution 3.9 mm, max 255.996 m); value 0 = no
///    measurement; depths above the max are clamped to 65535.
///  - kOpv2vHU8: OPV2V-H (HEAL) depth PNGs: 8-bit gray, depth_m = value
///    (1 m steps, 255 = far). HEAL loads them with PIL and feeds the raw 0..255
///    value as metres to its depth bins (ToTensor()*255, clamp to d_max), so
///    this is the reading that matches HEAL's training.
///  - kCarlaRgb24: CARLA's depth camera raw encoding, 8-bit RGB:
///    depth_m = 1000 * (R + 256 G + 65536 B) / (2^24 - 1).
enum class DepthEncoding { kConcordU16, kOpv2vHU8, kCarlaRgb24 };

/// "concord_u16", "opv2v_h_u8", "carla_rgb24".
std::string to_string(DepthEncoding e);

/// Inverse of to_string; throws FormatError (no file) on an unknown name.
DepthEncoding depth_encoding_from_string(const std::string& name);

/// Reads a depth PNG. The encoding is detected from the PNG itself: 16-bit
/// gray -> kConcordU16, 8-bit gray -> kOpv2vHU8, 8-bit RGB/RGBA -> kCarlaRgb24.
/// Throws FormatError naming the file when missing or of another layout.
DepthImage read_depth_png(const std::filesystem::path& path);

/// Reads a depth PNG with an explicit encoding; throws FormatError when the PNG
/// layout does not match it.
DepthImage read_depth_png(const std::filesystem::path& path, DepthEncoding encoding);

/// Writes `depth` (metres; <= 0 or non-finite -> no measurement) with
/// `encoding` (default kConcordU16, round trip error <= 1/512 m below 255.99 m).
/// Throws FormatError on I/O failure or a buffer of the wrong size.
void write_depth_png(const std::filesystem::path& path, const DepthImage& depth,
                     DepthEncoding encoding = DepthEncoding::kConcordU16);

}  // namespace concord::formats
