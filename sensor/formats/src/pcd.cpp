#include "concord/formats/pcd.hpp"

#include "concord/formats/error.hpp"
#include "file_io.hpp"

#include <lzf.h>

#include <charconv>
#include <cstring>
#include <limits>
#include <sstream>

namespace concord::formats {
namespace {

// How one PCD field maps to output columns.
struct FieldPlan {
  PcdField field;
  std::size_t offset = 0;        // byte offset inside a point record (binary)
  std::size_t first_column = 0;  // first output column
  bool packed_rgb = false;       // 4-byte rgb/rgba unpacked into r g b (a)
  bool skip = false;             // "_" padding
};

std::vector<std::string> split_ws(const std::string& line) {
  std::istringstream in(line);
  std::vector<std::string> out;
  std::string tok;
  while (in >> tok) out.push_back(tok);
  return out;
}

std::uint64_t parse_u64(const std::string& tok, const std::string& key, const std::string& src) {
  std::uint64_t v = 0;
  const auto res = std::from_chars(tok.data(), tok.data() + tok.size(), v);
  if (res.ec != std::errc() || res.ptr != tok.data() + tok.size()) {
    throw FormatError(src,
                      "bad header: " + key + " expects a non-negative integer, got '" + tok + "'");
  }
  return v;
}

bool parse_double(const char* first, const char* last, double& out) {
  if (first < last && *first == '+') ++first;
  const auto res = std::from_chars(first, last, out);
  return res.ec == std::errc() && res.ptr == last;
}

bool is_integer_token(const char* first, const char* last) {
  if (first < last && (*first == '-' || *first == '+')) ++first;
  if (first == last) return false;
  for (const char* p = first; p < last; ++p) {
    if (*p < '0' || *p > '9') return false;
  }
  return true;
}

std::vector<FieldPlan> plan_fields(const PcdHeader& h, std::vector<std::string>& columns) {
  std::vector<FieldPlan> plans;
  std::size_t offset = 0;
  for (const PcdField& f : h.fields) {
    FieldPlan p;
    p.field = f;
    p.offset = offset;
    p.first_column = columns.size();
    offset += static_cast<std::size_t>(f.size) * static_cast<std::size_t>(f.count);
    if (f.name == "_") {
      p.skip = true;
    } else if ((f.name == "rgb" || f.name == "rgba") && f.size == 4 && f.count == 1) {
      p.packed_rgb = true;
      columns.insert(columns.end(), {"r", "g", "b"});
      if (f.name == "rgba") columns.emplace_back("a");
    } else if (f.count == 1) {
      columns.push_back(f.name);
    } else {
      for (int k = 0; k < f.count; ++k) columns.push_back(f.name + "_" + std::to_string(k));
    }
    plans.push_back(p);
  }
  return plans;
}

// Converts one little-endian element of `field` at `p` to double.
double element_value(const PcdField& f, const unsigned char* p) {
  switch (f.type) {
    case 'F':
      if (f.size == 4) {
        float v;
        std::memcpy(&v, p, 4);
        return v;
      } else {
        double v;
        std::memcpy(&v, p, 8);
        return v;
      }
    case 'U':
      switch (f.size) {
        case 1:
          return p[0];
        case 2: {
          std::uint16_t v;
          std::memcpy(&v, p, 2);
          return v;
        }
        case 4: {
          std::uint32_t v;
          std::memcpy(&v, p, 4);
          return v;
        }
        default: {
          std::uint64_t v;
          std::memcpy(&v, p, 8);
          return static_cast<double>(v);
        }
      }
    default:  // 'I'
      switch (f.size) {
        case 1: {
          std::int8_t v;
          std::memcpy(&v, p, 1);
          return v;
        }
        case 2: {
          std::int16_t v;
          std::memcpy(&v, p, 2);
          return v;
        }
        case 4: {
          std::int32_t v;
          std::memcpy(&v, p, 4);
          return v;
        }
        default: {
          std::int64_t v;
          std::memcpy(&v, p, 8);
          return static_cast<double>(v);
        }
      }
  }
}

void store_packed_rgb(PointMatrix& m, Eigen::Index row, const FieldPlan& p, std::uint32_t bits) {
  const auto c = static_cast<Eigen::Index>(p.first_column);
  m(row, c + 0) = static_cast<float>((bits >> 16) & 0xffu) / 255.0f;
  m(row, c + 1) = static_cast<float>((bits >> 8) & 0xffu) / 255.0f;
  m(row, c + 2) = static_cast<float>(bits & 0xffu) / 255.0f;
  if (p.field.name == "rgba") m(row, c + 3) = static_cast<float>((bits >> 24) & 0xffu) / 255.0f;
}

// Fills row `row` of field `p` from raw bytes; `stride` = bytes between elements.
void store_binary(PointMatrix& m, Eigen::Index row, const FieldPlan& p, const unsigned char* src,
                  std::size_t stride) {
  if (p.skip) return;
  if (p.packed_rgb) {
    std::uint32_t bits;
    std::memcpy(&bits, src, 4);
    store_packed_rgb(m, row, p, bits);
    return;
  }
  for (int k = 0; k < p.field.count; ++k) {
    m(row, static_cast<Eigen::Index>(p.first_column) + k) =
        static_cast<float>(element_value(p.field, src + static_cast<std::size_t>(k) * stride));
  }
}

void parse_ascii(const std::string& bytes, const PcdHeader& h, const std::vector<FieldPlan>& plans,
                 PointMatrix& m, const std::string& src) {
  std::size_t pos = h.data_offset;
  const std::size_t end = bytes.size();
  std::uint64_t row = 0;
  std::size_t line_no = 0;
  std::vector<std::pair<const char*, const char*>> toks;
  std::size_t expected_tokens = 0;
  for (const auto& p : plans) expected_tokens += static_cast<std::size_t>(p.field.count);
  while (pos < end && row < h.points) {
    std::size_t eol = bytes.find('\n', pos);
    if (eol == std::string::npos) eol = end;
    ++line_no;
    toks.clear();
    const char* c = bytes.data() + pos;
    const char* e = bytes.data() + eol;
    while (c < e) {
      while (c < e && (*c == ' ' || *c == '\t' || *c == '\r')) ++c;
      const char* s = c;
      while (c < e && *c != ' ' && *c != '\t' && *c != '\r') ++c;
      if (s < c) toks.emplace_back(s, c);
    }
    pos = eol + 1;
    if (toks.empty()) continue;
    if (toks.size() != expected_tokens) {
      throw FormatError(src, "ascii data line " + std::to_string(line_no) + " has " +
                                 std::to_string(toks.size()) + " values, expected " +
                                 std::to_string(expected_tokens));
    }
    std::size_t t = 0;
    const auto r = static_cast<Eigen::Index>(row);
    for (const auto& p : plans) {
      if (p.skip) {
        t += static_cast<std::size_t>(p.field.count);
        continue;
      }
      for (int k = 0; k < p.field.count; ++k, ++t) {
        const char* a = toks[t].first;
        const char* b = toks[t].second;
        double v = 0.0;
        if (p.packed_rgb) {
          std::uint32_t bits = 0;
          if (is_integer_token(a, b)) {
            if (!parse_double(a, b, v)) v = 0.0;
            bits = static_cast<std::uint32_t>(static_cast<std::int64_t>(v));
          } else {
            if (!parse_double(a, b, v)) {
              throw FormatError(src, "ascii data line " + std::to_string(line_no) +
                                         ": bad number '" + std::string(a, b) + "'");
            }
            const float f = static_cast<float>(v);
            std::memcpy(&bits, &f, 4);
          }
          store_packed_rgb(m, r, p, bits);
          continue;
        }
        if (!parse_double(a, b, v)) {
          throw FormatError(src, "ascii data line " + std::to_string(line_no) + ": bad number '" +
                                     std::string(a, b) + "'");
        }
        m(r, static_cast<Eigen::Index>(p.first_column) + k) = static_cast<float>(v);
      }
    }
    ++row;
  }
  if (row < h.points) {
    throw FormatError(src, "truncated ascii data (expected " + std::to_string(h.points) +
                               " points, got " + std::to_string(row) + ")");
  }
}

std::uint32_t read_u32(const std::string& bytes, std::size_t at) {
  std::uint32_t v;
  std::memcpy(&v, bytes.data() + at, 4);
  return v;
}

// The data section of a binary / binary_compressed file: `data` points at N
// row-major records (binary, inside the file bytes) or at the decompressed
// column-major field blocks (binary_compressed, held in `owned`).
struct RawData {
  std::vector<unsigned char> owned;
  const unsigned char* data = nullptr;
  bool column_major = false;
};

RawData raw_data(const std::string& bytes, const PcdHeader& h, const std::string& src) {
  const std::size_t n = static_cast<std::size_t>(h.points);
  const std::size_t psize = h.point_size();
  const auto* file = reinterpret_cast<const unsigned char*>(bytes.data());
  const std::size_t have = bytes.size() - h.data_offset;
  RawData raw;
  if (h.data == PcdData::kBinary) {
    const std::size_t need = n * psize;
    if (have < need) {
      throw FormatError(src, "truncated binary data (expected " + std::to_string(need) +
                                 " bytes for " + std::to_string(n) + " points, got " +
                                 std::to_string(have) + ")");
    }
    raw.data = file + h.data_offset;
    return raw;
  }
  if (have < 8) {
    throw FormatError(src, "truncated binary_compressed data (expected 8-byte size header, got " +
                               std::to_string(have) + " bytes)");
  }
  const std::uint32_t csize = read_u32(bytes, h.data_offset);
  const std::uint32_t usize = read_u32(bytes, h.data_offset + 4);
  if (static_cast<std::uint64_t>(usize) != static_cast<std::uint64_t>(n) * psize) {
    throw FormatError(src, "size mismatch: uncompressed size " + std::to_string(usize) +
                               " != POINTS*point size " + std::to_string(n * psize));
  }
  if (have - 8 < csize) {
    throw FormatError(src, "truncated binary_compressed data (expected " + std::to_string(csize) +
                               " compressed bytes, got " + std::to_string(have - 8) + ")");
  }
  raw.owned.resize(usize);
  if (usize > 0) {
    const unsigned got = lzf_decompress(file + h.data_offset + 8, csize, raw.owned.data(),
                                        static_cast<unsigned>(usize));
    if (got != usize) {
      throw FormatError(src, "LZF decompression failed (expected " + std::to_string(usize) +
                                 " bytes, got " + std::to_string(got) + ")");
    }
  }
  raw.data = raw.owned.data();
  raw.column_major = true;
  return raw;
}

}  // namespace

std::size_t PcdHeader::point_size() const {
  std::size_t s = 0;
  for (const auto& f : fields)
    s += static_cast<std::size_t>(f.size) * static_cast<std::size_t>(f.count);
  return s;
}

const char* to_string(PcdData mode) {
  switch (mode) {
    case PcdData::kAscii:
      return "ascii";
    case PcdData::kBinary:
      return "binary";
    default:
      return "binary_compressed";
  }
}

PcdHeader parse_pcd_header(const std::string& bytes, const std::string& src) {
  PcdHeader h;
  std::vector<std::string> names, sizes, types, counts;
  bool have_width = false, have_points = false, have_data = false;
  std::size_t pos = 0;
  while (pos < bytes.size() && !have_data) {
    std::size_t eol = bytes.find('\n', pos);
    if (eol == std::string::npos) eol = bytes.size();
    const std::string line = bytes.substr(pos, eol - pos);
    pos = eol + 1;
    const std::vector<std::string> tok = split_ws(line);
    if (tok.empty() || tok[0][0] == '#') continue;
    const std::string& key = tok[0];
    const std::vector<std::string> vals(tok.begin() + 1, tok.end());
    if (key == "VERSION") {
      if (!vals.empty()) h.version = vals[0];
    } else if (key == "FIELDS" || key == "COLUMNS") {
      names = vals;
    } else if (key == "SIZE") {
      sizes = vals;
    } else if (key == "TYPE") {
      types = vals;
    } else if (key == "COUNT") {
      counts = vals;
    } else if (key == "WIDTH") {
      if (vals.size() != 1) throw FormatError(src, "bad header: WIDTH expects one value");
      h.width = parse_u64(vals[0], key, src);
      have_width = true;
    } else if (key == "HEIGHT") {
      if (vals.size() != 1) throw FormatError(src, "bad header: HEIGHT expects one value");
      h.height = parse_u64(vals[0], key, src);
    } else if (key == "POINTS") {
      if (vals.size() != 1) throw FormatError(src, "bad header: POINTS expects one value");
      h.points = parse_u64(vals[0], key, src);
      have_points = true;
    } else if (key == "VIEWPOINT") {
      if (vals.size() != 7) throw FormatError(src, "bad header: VIEWPOINT expects 7 values");
      for (std::size_t i = 0; i < 7; ++i) {
        if (!parse_double(vals[i].data(), vals[i].data() + vals[i].size(), h.viewpoint[i])) {
          throw FormatError(src, "bad header: VIEWPOINT value '" + vals[i] + "'");
        }
      }
    } else if (key == "DATA") {
      if (vals.size() != 1) throw FormatError(src, "bad header: DATA expects one value");
      if (vals[0] == "ascii") {
        h.data = PcdData::kAscii;
      } else if (vals[0] == "binary") {
        h.data = PcdData::kBinary;
      } else if (vals[0] == "binary_compressed") {
        h.data = PcdData::kBinaryCompressed;
      } else {
        throw FormatError(
            src,
            "bad header: DATA must be ascii, binary or binary_compressed, got '" + vals[0] + "'");
      }
      have_data = true;
      h.data_offset = std::min(pos, bytes.size());
    } else {
      throw FormatError(src, "bad header: unknown key '" + key +
                                 "' (expected a PCD v0.7 header: VERSION FIELDS SIZE TYPE COUNT "
                                 "WIDTH HEIGHT VIEWPOINT POINTS DATA)");
    }
  }
  if (!have_data)
    throw FormatError(src, "bad header: no DATA line (not a PCD file or truncated header)");
  if (names.empty()) throw FormatError(src, "bad header: no FIELDS line");
  if (sizes.size() != names.size() || types.size() != names.size()) {
    throw FormatError(src, "bad header: FIELDS/SIZE/TYPE lengths differ (" +
                               std::to_string(names.size()) + "/" + std::to_string(sizes.size()) +
                               "/" + std::to_string(types.size()) + ")");
  }
  if (!counts.empty() && counts.size() != names.size()) {
    throw FormatError(src, "bad header: COUNT has " + std::to_string(counts.size()) +
                               " entries, FIELDS has " + std::to_string(names.size()));
  }
  if (!have_width) throw FormatError(src, "bad header: no WIDTH line");
  for (std::size_t i = 0; i < names.size(); ++i) {
    PcdField f;
    f.name = names[i];
    f.size = static_cast<int>(parse_u64(sizes[i], "SIZE", src));
    if (types[i].size() != 1) throw FormatError(src, "bad header: TYPE '" + types[i] + "'");
    f.type = types[i][0];
    f.count = counts.empty() ? 1 : static_cast<int>(parse_u64(counts[i], "COUNT", src));
    const bool ok = (f.type == 'F' && (f.size == 4 || f.size == 8)) ||
                    ((f.type == 'U' || f.type == 'I') &&
                     (f.size == 1 || f.size == 2 || f.size == 4 || f.size == 8));
    if (!ok) {
      throw FormatError(src, "bad header: field '" + f.name + "' has unsupported SIZE " +
                                 std::to_string(f.size) + " for TYPE " + types[i]);
    }
    if (f.count < 1) throw FormatError(src, "bad header: field '" + f.name + "' has COUNT 0");
    h.fields.push_back(f);
  }
  if (!have_points) h.points = h.width * h.height;
  if (h.points != h.width * h.height) {
    throw FormatError(src, "bad header: POINTS " + std::to_string(h.points) + " != WIDTH*HEIGHT " +
                               std::to_string(h.width * h.height));
  }
  return h;
}

PointCloud parse_pcd(const std::string& bytes, const std::string& src) {
  const PcdHeader h = parse_pcd_header(bytes, src);
  PointCloud cloud;
  const std::vector<FieldPlan> plans = plan_fields(h, cloud.columns);
  const std::size_t n = static_cast<std::size_t>(h.points);
  const std::size_t psize = h.point_size();
  cloud.points.resize(static_cast<Eigen::Index>(n),
                      static_cast<Eigen::Index>(cloud.columns.size()));
  if (h.data == PcdData::kAscii) {
    parse_ascii(bytes, h, plans, cloud.points, src);
  } else {
    const RawData raw = raw_data(bytes, h, src);
    std::size_t block = 0;  // start of this field's column-major block
    for (const auto& p : plans) {
      const std::size_t esize = static_cast<std::size_t>(p.field.size);
      const std::size_t per_point = esize * static_cast<std::size_t>(p.field.count);
      for (std::size_t i = 0; i < n; ++i) {
        const unsigned char* at =
            raw.column_major ? raw.data + block + i * per_point : raw.data + i * psize + p.offset;
        store_binary(cloud.points, static_cast<Eigen::Index>(i), p, at, esize);
      }
      block += per_point * n;
    }
  }
  return cloud;
}

std::vector<double> parse_pcd_field_f64(const std::string& bytes, const std::string& field,
                                        const std::string& src) {
  const PcdHeader h = parse_pcd_header(bytes, src);
  std::size_t index = h.fields.size();
  for (std::size_t k = 0; k < h.fields.size(); ++k) {
    if (h.fields[k].name == field) index = k;
  }
  if (index == h.fields.size()) {
    std::string names;
    for (const auto& f : h.fields) names += (names.empty() ? "" : " ") + f.name;
    throw FormatError(src, "no field '" + field + "' (FIELDS: " + names + ")");
  }
  const PcdField& f = h.fields[index];
  if (f.count != 1) {
    throw FormatError(
        src, "field '" + field + "' has COUNT " + std::to_string(f.count) + ", expected 1");
  }
  const std::size_t n = static_cast<std::size_t>(h.points);
  std::vector<double> out(n);
  if (h.data == PcdData::kAscii) {
    std::size_t token = 0;  // position of the field's value on a data line
    for (std::size_t k = 0; k < index; ++k) token += static_cast<std::size_t>(h.fields[k].count);
    std::size_t pos = h.data_offset;
    std::size_t row = 0;
    while (pos < bytes.size() && row < n) {
      std::size_t eol = bytes.find('\n', pos);
      if (eol == std::string::npos) eol = bytes.size();
      const std::vector<std::string> toks = split_ws(bytes.substr(pos, eol - pos));
      pos = eol + 1;
      if (toks.empty()) continue;
      if (toks.size() <= token ||
          !parse_double(toks[token].data(), toks[token].data() + toks[token].size(), out[row])) {
        throw FormatError(src, "ascii data point " + std::to_string(row) +
                                   ": no number for field '" + field + "'");
      }
      ++row;
    }
    if (row < n) {
      throw FormatError(src, "truncated ascii data (expected " + std::to_string(n) +
                                 " points, got " + std::to_string(row) + ")");
    }
    return out;
  }
  const RawData raw = raw_data(bytes, h, src);
  std::size_t offset = 0;  // row-major: byte offset in a record; column-major: block start
  for (std::size_t k = 0; k < index; ++k) {
    const std::size_t per_point =
        static_cast<std::size_t>(h.fields[k].size) * static_cast<std::size_t>(h.fields[k].count);
    offset += raw.column_major ? per_point * n : per_point;
  }
  const std::size_t esize = static_cast<std::size_t>(f.size);
  for (std::size_t i = 0; i < n; ++i) {
    out[i] = element_value(f, raw.column_major ? raw.data + offset + i * esize
                                               : raw.data + i * h.point_size() + offset);
  }
  return out;
}

PointCloud read_pcd(const std::filesystem::path& path) {
  return parse_pcd(detail::read_file_bytes(path), path.string());
}

PcdHeader read_pcd_header(const std::filesystem::path& path) {
  return parse_pcd_header(detail::read_file_bytes(path), path.string());
}

std::string encode_pcd(const PointCloud& cloud, PcdData mode) {
  const auto ncol = static_cast<std::size_t>(cloud.points.cols());
  if (cloud.columns.size() != ncol) {
    throw FormatError("", "encode_pcd: " + std::to_string(cloud.columns.size()) +
                              " column names for a matrix with " + std::to_string(ncol) +
                              " columns");
  }
  const auto n = static_cast<std::size_t>(cloud.points.rows());
  std::string out;
  out += "# .PCD v0.7 - Point Cloud Data file format\nVERSION 0.7\nFIELDS";
  for (const auto& c : cloud.columns) out += " " + c;
  out += "\nSIZE";
  for (std::size_t i = 0; i < ncol; ++i) out += " 4";
  out += "\nTYPE";
  for (std::size_t i = 0; i < ncol; ++i) out += " F";
  out += "\nCOUNT";
  for (std::size_t i = 0; i < ncol; ++i) out += " 1";
  out += "\nWIDTH " + std::to_string(n) + "\nHEIGHT 1\nVIEWPOINT 0 0 0 1 0 0 0\nPOINTS " +
         std::to_string(n) + "\nDATA " + to_string(mode) + "\n";
  if (mode == PcdData::kAscii) {
    char buf[64];
    for (std::size_t i = 0; i < n; ++i) {
      for (std::size_t j = 0; j < ncol; ++j) {
        const float v = cloud.points(static_cast<Eigen::Index>(i), static_cast<Eigen::Index>(j));
        const auto res = std::to_chars(buf, buf + sizeof(buf), v);
        if (j > 0) out += ' ';
        out.append(buf, res.ptr);
      }
      out += '\n';
    }
  } else if (mode == PcdData::kBinary) {
    const std::size_t start = out.size();
    out.resize(start + n * ncol * 4);
    // Row-major float matrix == PCD binary record layout.
    if (n * ncol > 0) std::memcpy(&out[start], cloud.points.data(), n * ncol * 4);
  } else {
    std::vector<float> colmajor(n * ncol);
    for (std::size_t j = 0; j < ncol; ++j) {
      for (std::size_t i = 0; i < n; ++i) {
        colmajor[j * n + i] =
            cloud.points(static_cast<Eigen::Index>(i), static_cast<Eigen::Index>(j));
      }
    }
    const std::size_t usize = colmajor.size() * 4;
    if (usize > std::numeric_limits<std::uint32_t>::max() / 2) {
      throw FormatError("", "encode_pcd: cloud too large for binary_compressed");
    }
    std::vector<unsigned char> comp(usize + usize / 16 + 64);
    unsigned csize = 0;
    if (usize > 0) {
      csize = lzf_compress(colmajor.data(), static_cast<unsigned>(usize), comp.data(),
                           static_cast<unsigned>(comp.size()));
      if (csize == 0) throw FormatError("", "encode_pcd: LZF compression failed");
    }
    const auto c32 = static_cast<std::uint32_t>(csize);
    const auto u32 = static_cast<std::uint32_t>(usize);
    out.append(reinterpret_cast<const char*>(&c32), 4);
    out.append(reinterpret_cast<const char*>(&u32), 4);
    out.append(reinterpret_cast<const char*>(comp.data()), csize);
  }
  return out;
}

void write_pcd(const std::filesystem::path& path, const PointCloud& cloud, PcdData mode) {
  std::string bytes;
  try {
    bytes = encode_pcd(cloud, mode);
  } catch (const FormatError& e) {
    throw FormatError(path.string(), e.what());
  }
  detail::write_file_bytes(path, bytes);
}

void write_pcd_xyzi(const std::filesystem::path& path, const PointMatrix& xyzi, PcdData mode) {
  if (xyzi.cols() != 4) {
    throw FormatError(path.string(), "write_pcd_xyzi expects N x 4 [x y z intensity], got " +
                                         std::to_string(xyzi.cols()) + " columns");
  }
  PointCloud c;
  c.columns = {"x", "y", "z", "intensity"};
  c.points = xyzi;
  write_pcd(path, c, mode);
}

}  // namespace concord::formats
