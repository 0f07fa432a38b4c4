#include "concord/geometry/bev_grid.hpp"

#include <cmath>
#include <cstdio>

#include "concord/error.hpp"

namespace concord {

int64_t BevGrid::width() const {
  return std::llround((x_max - x_min) / resolution);
}

int64_t BevGrid::height() const {
  return std::llround((y_max - y_min) / resolution);
}

BevGrid BevGrid::downsampled(double factor) const {
  BevGrid g = *this;
  g.resolution = resolution * factor;
  return g;
}

void BevGrid::validate() const {
  if (!(resolution > 0)) {
    throw ConfigError("BEV grid: resolution must be > 0 m, got " + std::to_string(resolution));
  }
  if (!(x_max > x_min) || !(y_max > y_min)) throw ConfigError("BEV grid: empty extent " + str());
  for (double extent : {x_max - x_min, y_max - y_min}) {
    const double cells = extent / resolution;
    if (std::fabs(cells - std::round(cells)) > 1e-6) {
      throw ConfigError("BEV grid: extent " + std::to_string(extent) +
                        " m is not a whole number of " + std::to_string(resolution) + " m cells");
    }
  }
}

std::string BevGrid::str() const {
  char buf[160];
  std::snprintf(buf, sizeof buf, "[%g, %g] x [%g, %g] m at %g m (%lld x %lld)", x_min, x_max, y_min,
                y_max, resolution, static_cast<long long>(width()),
                static_cast<long long>(height()));
  return buf;
}

}  // namespace concord
