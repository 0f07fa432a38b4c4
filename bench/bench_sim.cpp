// bench_sim: ray-casting throughput (rays per second per core) and sensor
// frame rate of the default simulator config, without writing files.
//
// Usage: bench_sim [config.toml] [frames]
#include "concord/sim/config.hpp"
#include "concord/sim/lidar.hpp"
#include "concord/sim/raycaster.hpp"
#include "concord/sim/simulator.hpp"
#include "concord/sim/world.hpp"

#include <chrono>
#include <cstdio>
#include <exception>
#include <string>
#include <vector>

int main(int argc, char** argv) {
  try {
    namespace cs = concord::sim;
    const std::string path = argc > 1 ? argv[1] : CONCORD_SIM_DEFAULT_CONFIG;
    const int frames = argc > 2 ? std::stoi(argv[2]) : 10;
    const cs::SimConfig cfg = cs::load_sim_config(path);
    cs::World world(cfg, 12345);
    cs::RayCaster caster(cfg.threads);
    using clock = std::chrono::steady_clock;
    double sensor_s = 0.0, scene_s = 0.0;
    std::size_t agent_frames = 0;
    const std::uint64_t rays0 = caster.rays_traced();
    for (int f = 0; f < frames; ++f) {
      if (f > 0) world.step();
      const auto t0 = clock::now();
      const cs::FrameMeshes meshes = world.frame_meshes();
      caster.set_scene(meshes.pointers());
      const auto t1 = clock::now();
      for (const cs::Agent& a : world.agents()) {
        cs::simulate_agent_frame(world, meshes, caster, a, cfg, 12345, f);
        ++agent_frames;
      }
      const auto t2 = clock::now();
      scene_s += std::chrono::duration<double>(t1 - t0).count();
      sensor_s += std::chrono::duration<double>(t2 - t1).count();
    }
    const double rays = static_cast<double>(caster.rays_traced() - rays0);
    const int threads = caster.num_threads();

    // Pure ray casting: the ego's HDL-64E sweep, traced repeatedly.
    const cs::AgentSensors ego = world.sensors(world.agents().front());
    const Eigen::Matrix4d t_wl = cs::pose_to_matrix(ego.lidar);
    std::vector<cs::Ray> sweep;
    for (const Eigen::Vector3f& d : cs::lidar_directions(cfg.lidar64)) {
      cs::Ray r;
      r.origin = t_wl.topRightCorner<3, 1>().cast<float>();
      r.dir = (t_wl.topLeftCorner<3, 3>() * d.cast<double>()).cast<float>();
      r.tfar = static_cast<float>(cfg.lidar64.max_range_m);
      sweep.push_back(r);
    }
    auto cast_rate = [&](cs::RayCaster& rc) {
      std::vector<cs::Hit> hits;
      const int reps = 10;
      const auto a = clock::now();
      for (int i = 0; i < reps; ++i) rc.intersect(sweep, hits);
      return reps * static_cast<double>(sweep.size()) /
             std::chrono::duration<double>(clock::now() - a).count();
    };
    const cs::FrameMeshes meshes = world.frame_meshes();
    cs::RayCaster single(1);
    single.set_scene(meshes.pointers());
    caster.set_scene(meshes.pointers());
    const double rate1 = cast_rate(single);
    const double rate_n = cast_rate(caster);
    std::printf("bench_sim: config %s, %d threads, %d frames, %zu agent-frames\n", path.c_str(),
                threads, frames, agent_frames);
    std::printf("  scene build      : %.2f ms / frame\n", 1e3 * scene_s / frames);
    std::printf("  sensors          : %.1f ms / agent-frame (3 LiDARs + 4 cameras + visibility)\n",
                1e3 * sensor_s / static_cast<double>(agent_frames));
    std::printf(
        "  ray casting      : %.2f Mrays/s on 1 thread, %.2f Mrays/s on %d threads "
        "(%.2f per core; HDL-64E sweep of %zu rays)\n",
        rate1 / 1e6, rate_n / 1e6, threads, rate_n / 1e6 / threads, sweep.size());
    std::printf("  sensors incl. shading/noise: %.0f rays, %.2f Mrays/s, %.2f Mrays/s per core\n",
                rays, rays / sensor_s / 1e6, rays / sensor_s / 1e6 / threads);
    std::printf("  frame rate       : %.2f agent-frames/s, %.2f frames/s (all agents)\n",
                static_cast<double>(agent_frames) / (sensor_s + scene_s),
                frames / (sensor_s + scene_s));
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bench_sim: %s\n", e.what());
    return 1;
  }
}
