// Multithreaded ray casting against triangle meshes with Intel Embree 3.
#pragma once

#include "concord/sim/mesh.hpp"

#include <Eigen/Core>

#include <cstdint>
#include <limits>
#include <memory>
#include <vector>

namespace concord::sim {

/// One ray in world coordinates: hits with t in [tnear, tfar] count (metres
/// along the unit direction `dir`).
struct Ray {
  Eigen::Vector3f origin = Eigen::Vector3f::Zero();
  Eigen::Vector3f dir = Eigen::Vector3f::UnitX();
  float tnear = 0.0f;
  float tfar = std::numeric_limits<float>::infinity();
};

/// Geometry id of a miss.
inline constexpr std::uint32_t kNoHit = 0xFFFFFFFFu;

/// Closest hit of one ray. `geom_id` indexes the mesh list given to
/// RayCaster::set_scene (kNoHit on a miss), `prim_id` the triangle in it.
/// `normal` is the unit geometric normal (world), oriented against the ray.
struct Hit {
  float t = std::numeric_limits<float>::infinity();  ///< metres along the ray
  std::uint32_t geom_id = kNoHit;
  std::uint32_t prim_id = 0;
  Eigen::Vector3f normal = Eigen::Vector3f::Zero();
  /// True when the ray hit something.
  bool valid() const { return geom_id != kNoHit; }
};

/// Embree 3 scene plus a fixed pool size of std::threads for batches of rays.
/// Rays are split into fixed chunks of `kChunk` rays; each ray's result
/// depends only on the ray and the scene, so output is identical for any
/// thread count. Embree's own BVH build runs single-threaded ("threads=1") so
/// the BVH, and hence tie-breaking between coincident triangles, is
/// reproducible. Not thread-safe: one intersect() call at a time.
class RayCaster {
 public:
  /// Rays per work chunk.
  static constexpr std::size_t kChunk = 1024;

  /// `num_threads` <= 0 uses std::thread::hardware_concurrency(). Throws
  /// std::runtime_error when the Embree device cannot be created.
  explicit RayCaster(int num_threads = 0);
  ~RayCaster();
  RayCaster(const RayCaster&) = delete;
  RayCaster& operator=(const RayCaster&) = delete;

  /// Replaces the scene: geometry i (Hit::geom_id == i) is meshes[i]. The
  /// meshes are copied into Embree buffers; the pointers need not outlive the
  /// call. Empty meshes are skipped (their id is never hit). Throws
  /// std::runtime_error on an Embree error.
  void set_scene(const std::vector<const TriangleMesh*>& meshes);

  /// Closest hit for every ray: hits.size() == rays.size() on return. Hits
  /// on any geometry listed in `ignore` (e.g. the sensor's own vehicle) are
  /// skipped and the ray continues behind them. Throws std::logic_error when
  /// no scene was set.
  void intersect(const std::vector<Ray>& rays, std::vector<Hit>& hits,
                 const std::vector<std::uint32_t>& ignore = {}) const;

  /// For each ray, true when something lies within [tnear, tfar] (shadow
  /// test), ignoring `ignore`. occluded.size() == rays.size() on return.
  void occluded(const std::vector<Ray>& rays, std::vector<std::uint8_t>& occluded,
                const std::vector<std::uint32_t>& ignore = {}) const;

  /// Threads used by intersect()/occluded().
  int num_threads() const { return num_threads_; }
  /// Total rays traced since construction (including re-cast rays after an
  /// ignored hit).
  std::uint64_t rays_traced() const { return rays_traced_; }

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  int num_threads_ = 1;
  mutable std::uint64_t rays_traced_ = 0;
};

}  // namespace concord::sim
