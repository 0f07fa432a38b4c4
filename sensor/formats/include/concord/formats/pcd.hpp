// PCD v0.7 reader/writer (DATA ascii, binary, binary_compressed).
#pragma once

#include "concord/formats/error.hpp"
#include "concord/formats/point_cloud.hpp"

#include <array>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace concord::formats {

/// PCD DATA encodings. kBinaryCompressed = PCL's LZF scheme: after the header,
/// uint32 compressed size, uint32 uncompressed size (little-endian), then one
/// LZF stream whose payload is column-major: for each field in FIELDS order,
/// all N points' values of that field (N * SIZE * COUNT bytes).
enum class PcdData { kAscii, kBinary, kBinaryCompressed };

/// One FIELDS entry: SIZE in bytes, TYPE 'F' (float, 4/8), 'U' (unsigned, 1/2/4/8)
/// or 'I' (signed, 1/2/4/8), COUNT elements per point.
struct PcdField {
  std::string name;
  int size = 4;
  char type = 'F';
  int count = 1;
};

/// Parsed PCD header. `data_offset` is the byte offset of the first data byte.
struct PcdHeader {
  std::string version = "0.7";
  std::vector<PcdField> fields;
  std::uint64_t width = 0;
  std::uint64_t height = 1;
  std::array<double, 7> viewpoint{0, 0, 0, 1, 0, 0, 0};  ///< tx ty tz qw qx qy qz
  std::uint64_t points = 0;
  PcdData data = PcdData::kBinary;
  std::size_t data_offset = 0;

  /// Bytes per point: sum of SIZE * COUNT over fields.
  std::size_t point_size() const;
};

/// Parses the header at the start of `bytes` (the file contents). `source`
/// names the file in errors. Throws FormatError on a missing/ill-formed line
/// (FIELDS/SIZE/TYPE/COUNT length mismatch, bad SIZE for a TYPE, POINTS !=
/// WIDTH*HEIGHT, unknown DATA, no DATA line).
PcdHeader parse_pcd_header(const std::string& bytes, const std::string& source);

/// Decodes a whole PCD file held in memory into a float32 PointCloud.
/// Every field of any SIZE/TYPE/COUNT is converted to float32. Naming of columns:
///  - COUNT 1: the field name; COUNT k > 1: name_0 .. name_{k-1};
///  - fields named "_" (PCL padding) are skipped;
///  - a 4-byte "rgb"/"rgba" field is unpacked as Open3D/PCL do (packed
///    0x00RRGGBB / 0xAARRGGBB bits, reinterpreted from F4 or taken from U4/I4)
///    into columns r, g, b (and a) scaled to [0, 1] (Open3D convention; OPV2V
///    intensity = r). In DATA ascii an integer token is taken as the packed
///    integer (PCL style), any other token as a float whose bits are the
///    packed colour (Open3D style).
/// Data is little-endian. Throws FormatError (one line, naming `source`) on a
/// bad header, truncated data, compressed/uncompressed size mismatch or an LZF
/// decoding failure.
PointCloud parse_pcd(const std::string& bytes, const std::string& source);

/// Values of one COUNT-1 field of every point at float64 precision, in point
/// order. parse_pcd converts to float32, which rounds an F8 Unix time in
/// seconds (DAIR-V2X vehicle `timestamp`, ~1.6e9 s) to ~128 s steps; this keeps
/// it exact. All DATA modes. `source` names the file in errors. Throws
/// FormatError (one line) when `field` is absent or has COUNT != 1, and for
/// the same malformed data as parse_pcd. Source: sheet §1.3 (DAIR-V2X PCD fields).
std::vector<double> parse_pcd_field_f64(const std::string& bytes, const std::string& field,
                                        const std::string& source);

/// Reads a PCD file (see parse_pcd). Throws FormatError when the file cannot
/// be opened or is malformed. Source: sheet §1.1 (OPV2V PCD), §1.3 (DAIR-V2X
/// binary_compressed, fields x y z intensity timestamp).
PointCloud read_pcd(const std::filesystem::path& path);

/// Reads only the header of a PCD file. Throws FormatError as parse_pcd_header.
PcdHeader read_pcd_header(const std::filesystem::path& path);

/// Encodes `cloud` as a PCD v0.7 file image: every column becomes a float32
/// (SIZE 4, TYPE F, COUNT 1) field named after the column; WIDTH = N, HEIGHT 1.
/// Ascii values are printed with the shortest text that reads back to the same
/// float32 (std::to_chars), so all three modes round-trip bit-exactly.
/// Throws FormatError when columns.size() != points.cols() or LZF fails.
std::string encode_pcd(const PointCloud& cloud, PcdData mode);

/// Writes `cloud` to `path` (see encode_pcd), e.g. columns {x, y, z, intensity}.
/// Throws FormatError when the file cannot be written.
void write_pcd(const std::filesystem::path& path, const PointCloud& cloud, PcdData mode);

/// Convenience: writes an N x 4 [x, y, z, intensity] float32 matrix (metres,
/// sensor frame) as fields x y z intensity. Throws FormatError unless 4 columns.
void write_pcd_xyzi(const std::filesystem::path& path, const PointMatrix& xyzi, PcdData mode);

/// Text name of a DATA mode ("ascii", "binary", "binary_compressed").
const char* to_string(PcdData mode);

}  // namespace concord::formats
