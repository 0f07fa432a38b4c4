#include "concord/sim/raycaster.hpp"

#include <embree3/rtcore.h>

#include <algorithm>
#include <atomic>
#include <stdexcept>
#include <string>
#include <thread>

namespace concord::sim {

struct RayCaster::Impl {
  RTCDevice device = nullptr;
  RTCScene scene = nullptr;

  ~Impl() {
    if (scene) rtcReleaseScene(scene);
    if (device) rtcReleaseDevice(device);
  }

  void check(const char* what) const {
    const RTCError err = rtcGetDeviceError(device);
    if (err != RTC_ERROR_NONE) {
      throw std::runtime_error(std::string("embree: ") + what + " failed (error " +
                               std::to_string(static_cast<int>(err)) + ")");
    }
  }
};

namespace {

bool is_ignored(std::uint32_t geom, const std::vector<std::uint32_t>& ignore) {
  return std::find(ignore.begin(), ignore.end(), geom) != ignore.end();
}

// Runs body(begin, end) over [0, n) in fixed chunks on `threads` threads.
template <class Body>
void parallel_chunks(std::size_t n, int threads, const Body& body) {
  const std::size_t chunks = (n + RayCaster::kChunk - 1) / RayCaster::kChunk;
  if (chunks == 0) return;
  std::atomic<std::size_t> next{0};
  auto worker = [&]() {
    for (std::size_t c = next.fetch_add(1); c < chunks; c = next.fetch_add(1)) {
      body(c * RayCaster::kChunk, std::min(n, (c + 1) * RayCaster::kChunk));
    }
  };
  const int used =
      static_cast<int>(std::min<std::size_t>(static_cast<std::size_t>(threads), chunks));
  std::vector<std::thread> pool;
  pool.reserve(static_cast<std::size_t>(std::max(0, used - 1)));
  for (int i = 1; i < used; ++i) pool.emplace_back(worker);
  worker();
  for (auto& t : pool) t.join();
}

}  // namespace

RayCaster::RayCaster(int num_threads) : impl_(std::make_unique<Impl>()) {
  num_threads_ = num_threads > 0
                     ? num_threads
                     : std::max(1, static_cast<int>(std::thread::hardware_concurrency()));
  impl_->device = rtcNewDevice("threads=1,set_affinity=0");
  if (!impl_->device) throw std::runtime_error("embree: rtcNewDevice failed");
}

RayCaster::~RayCaster() = default;

void RayCaster::set_scene(const std::vector<const TriangleMesh*>& meshes) {
  if (impl_->scene) {
    rtcReleaseScene(impl_->scene);
    impl_->scene = nullptr;
  }
  RTCScene scene = rtcNewScene(impl_->device);
  impl_->check("rtcNewScene");
  rtcSetSceneFlags(scene, RTC_SCENE_FLAG_ROBUST);
  rtcSetSceneBuildQuality(scene, RTC_BUILD_QUALITY_MEDIUM);
  for (std::size_t i = 0; i < meshes.size(); ++i) {
    const TriangleMesh& m = *meshes[i];
    if (m.triangles.empty()) continue;
    RTCGeometry geom = rtcNewGeometry(impl_->device, RTC_GEOMETRY_TYPE_TRIANGLE);
    auto* v = static_cast<float*>(rtcSetNewGeometryBuffer(
        geom, RTC_BUFFER_TYPE_VERTEX, 0, RTC_FORMAT_FLOAT3, 3 * sizeof(float), m.vertices.size()));
    auto* idx = static_cast<unsigned*>(
        rtcSetNewGeometryBuffer(geom, RTC_BUFFER_TYPE_INDEX, 0, RTC_FORMAT_UINT3,
                                3 * sizeof(unsigned), m.triangles.size()));
    impl_->check("rtcSetNewGeometryBuffer");
    for (std::size_t k = 0; k < m.vertices.size(); ++k) {
      v[3 * k + 0] = m.vertices[k].x();
      v[3 * k + 1] = m.vertices[k].y();
      v[3 * k + 2] = m.vertices[k].z();
    }
    for (std::size_t k = 0; k < m.triangles.size(); ++k) {
      for (int j = 0; j < 3; ++j)
        idx[3 * k + static_cast<std::size_t>(j)] = m.triangles[k][static_cast<std::size_t>(j)];
    }
    rtcCommitGeometry(geom);
    rtcAttachGeometryByID(scene, geom, static_cast<unsigned>(i));
    rtcReleaseGeometry(geom);
    impl_->check("rtcAttachGeometryByID");
  }
  rtcCommitScene(scene);
  impl_->check("rtcCommitScene");
  impl_->scene = scene;
}

namespace {

void fill_hit(const Ray& r, float t, unsigned geom, unsigned prim, float nx, float ny, float nz,
              Hit& h) {
  h.t = t;
  h.geom_id = geom;
  h.prim_id = prim;
  Eigen::Vector3f n(nx, ny, nz);
  const float len = n.norm();
  if (len > 0.0f) n /= len;
  if (n.dot(r.dir) > 0.0f) n = -n;
  h.normal = n;
}

// Closest hit of one ray starting at `tnear`, skipping ignored geometry.
// Returns the number of Embree queries made.
std::uint64_t trace_single(RTCScene scene, const Ray& r, float tnear,
                           const std::vector<std::uint32_t>& ignore, Hit& h) {
  RTCIntersectContext ctx;
  std::uint64_t traced = 0;
  for (int attempt = 0; attempt < 8; ++attempt) {
    RTCRayHit rh;
    rh.ray.org_x = r.origin.x();
    rh.ray.org_y = r.origin.y();
    rh.ray.org_z = r.origin.z();
    rh.ray.dir_x = r.dir.x();
    rh.ray.dir_y = r.dir.y();
    rh.ray.dir_z = r.dir.z();
    rh.ray.tnear = tnear;
    rh.ray.tfar = r.tfar;
    rh.ray.time = 0.0f;
    rh.ray.mask = 0xFFFFFFFFu;
    rh.ray.id = 0;
    rh.ray.flags = 0;
    rh.hit.geomID = RTC_INVALID_GEOMETRY_ID;
    rh.hit.primID = RTC_INVALID_GEOMETRY_ID;
    rh.hit.instID[0] = RTC_INVALID_GEOMETRY_ID;
    rtcInitIntersectContext(&ctx);
    rtcIntersect1(scene, &ctx, &rh);
    ++traced;
    if (rh.hit.geomID == RTC_INVALID_GEOMETRY_ID) return traced;
    if (!ignore.empty() && is_ignored(rh.hit.geomID, ignore)) {
      tnear = rh.ray.tfar + 1e-3f;
      continue;
    }
    fill_hit(r, rh.ray.tfar, rh.hit.geomID, rh.hit.primID, rh.hit.Ng_x, rh.hit.Ng_y, rh.hit.Ng_z,
             h);
    return traced;
  }
  return traced;
}

}  // namespace

void RayCaster::intersect(const std::vector<Ray>& rays, std::vector<Hit>& hits,
                          const std::vector<std::uint32_t>& ignore) const {
  if (!impl_->scene) throw std::logic_error("RayCaster::intersect: no scene set");
  hits.assign(rays.size(), Hit{});
  std::atomic<std::uint64_t> traced{0};
  RTCScene scene = impl_->scene;
  // Packets of 16 consecutive rays (chunk boundaries are multiples of 16, so
  // every ray is always traced in the same packet slot whatever the thread
  // count). Rays whose first hit is ignored geometry continue one by one.
  parallel_chunks(rays.size(), num_threads_, [&](std::size_t begin, std::size_t end) {
    RTCIntersectContext ctx;
    std::uint64_t local = 0;
    for (std::size_t g = begin; g < end; g += 16) {
      const std::size_t n = std::min<std::size_t>(16, end - g);
      RTCRayHit16 rh;
      alignas(64) int valid[16];  // Embree: the mask must be 64-byte aligned
      for (std::size_t k = 0; k < 16; ++k) {
        const Ray& r = rays[g + std::min(k, n - 1)];
        valid[k] = k < n ? -1 : 0;
        rh.ray.org_x[k] = r.origin.x();
        rh.ray.org_y[k] = r.origin.y();
        rh.ray.org_z[k] = r.origin.z();
        rh.ray.dir_x[k] = r.dir.x();
        rh.ray.dir_y[k] = r.dir.y();
        rh.ray.dir_z[k] = r.dir.z();
        rh.ray.tnear[k] = r.tnear;
        rh.ray.tfar[k] = r.tfar;
        rh.ray.time[k] = 0.0f;
        rh.ray.mask[k] = 0xFFFFFFFFu;
        rh.ray.id[k] = static_cast<unsigned>(k);
        rh.ray.flags[k] = 0;
        rh.hit.geomID[k] = RTC_INVALID_GEOMETRY_ID;
        rh.hit.primID[k] = RTC_INVALID_GEOMETRY_ID;
        rh.hit.instID[0][k] = RTC_INVALID_GEOMETRY_ID;
      }
      rtcInitIntersectContext(&ctx);
      ctx.flags = RTC_INTERSECT_CONTEXT_FLAG_COHERENT;
      rtcIntersect16(valid, scene, &ctx, &rh);
      local += n;
      for (std::size_t k = 0; k < n; ++k) {
        const unsigned geom = rh.hit.geomID[k];
        if (geom == RTC_INVALID_GEOMETRY_ID) continue;
        const Ray& r = rays[g + k];
        if (!ignore.empty() && is_ignored(geom, ignore)) {
          local += trace_single(scene, r, rh.ray.tfar[k] + 1e-3f, ignore, hits[g + k]);
          continue;
        }
        fill_hit(r, rh.ray.tfar[k], geom, rh.hit.primID[k], rh.hit.Ng_x[k], rh.hit.Ng_y[k],
                 rh.hit.Ng_z[k], hits[g + k]);
      }
    }
    traced.fetch_add(local, std::memory_order_relaxed);
  });
  rays_traced_ += traced.load();
}

void RayCaster::occluded(const std::vector<Ray>& rays, std::vector<std::uint8_t>& occluded,
                         const std::vector<std::uint32_t>& ignore) const {
  if (!ignore.empty()) {
    // Ignored geometry needs the closest-hit loop.
    std::vector<Hit> hits;
    intersect(rays, hits, ignore);
    occluded.resize(rays.size());
    for (std::size_t i = 0; i < rays.size(); ++i) occluded[i] = hits[i].valid() ? 1 : 0;
    return;
  }
  if (!impl_->scene) throw std::logic_error("RayCaster::occluded: no scene set");
  occluded.assign(rays.size(), 0);
  RTCScene scene = impl_->scene;
  parallel_chunks(rays.size(), num_threads_, [&](std::size_t begin, std::size_t end) {
    RTCIntersectContext ctx;
    for (std::size_t i = begin; i < end; ++i) {
      const Ray& r = rays[i];
      RTCRay ray;
      ray.org_x = r.origin.x();
      ray.org_y = r.origin.y();
      ray.org_z = r.origin.z();
      ray.dir_x = r.dir.x();
      ray.dir_y = r.dir.y();
      ray.dir_z = r.dir.z();
      ray.tnear = r.tnear;
      ray.tfar = r.tfar;
      ray.time = 0.0f;
      ray.mask = 0xFFFFFFFFu;
      ray.id = 0;
      ray.flags = 0;
      rtcInitIntersectContext(&ctx);
      rtcOccluded1(scene, &ctx, &ray);
      // Embree sets tfar to -inf when occluded.
      occluded[i] = ray.tfar < 0.0f ? 1 : 0;
    }
  });
  rays_traced_ += rays.size();
}

}  // namespace concord::sim
