// bench_second: forward latency of the SECOND encoder (agent type m3) on one
// simulated 32-beam frame of the default simulator config, with the time of
// each stage (voxelise + MeanVFE, rule books, sparse 3D convs, HeightCompression,
// 2D backbone). Eval mode, no autograd, default plugin parameters (±38.4 m,
// 0.1 m voxels).
//
// Usage: bench_second [config.toml] [repeats]
#include <ATen/ATen.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <exception>
#include <string>
#include <vector>

#include "concord/sim/config.hpp"
#include "concord/sim/raycaster.hpp"
#include "concord/sim/simulator.hpp"
#include "concord/sim/world.hpp"
#include "height_compression.hpp"
#include "rule_book.hpp"
#include "second_encoder.hpp"

namespace {

using clock_type = std::chrono::steady_clock;

double ms_since(clock_type::time_point t0) {
  return std::chrono::duration<double, std::milli>(clock_type::now() - t0).count();
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
  try {
    namespace cs = concord::sim;
    namespace cp = concord::plugins;
    const std::string path = argc > 1 ? argv[1] : CONCORD_SIM_DEFAULT_CONFIG;
    const int repeats = argc > 2 ? std::stoi(argv[2]) : 5;
    cs::SimConfig cfg = cs::load_sim_config(path);
    cfg.lidar64.enabled = false;
    cfg.lidar16.enabled = false;
    cs::World world(cfg, 12345);
    cs::RayCaster caster(cfg.threads);
    const cs::FrameMeshes meshes = world.frame_meshes();
    caster.set_scene(meshes.pointers());
    const cs::AgentFrameData frame =
        cs::simulate_agent_frame(world, meshes, caster, world.agents().front(), cfg, 12345, 0);
    if (!frame.lidar32) throw std::runtime_error("the simulator config has no 32-beam LiDAR");
    std::vector<float> xyzi = frame.lidar32->xyzi;
    const at::Tensor points =
        at::from_blob(xyzi.data(), {static_cast<int64_t>(xyzi.size() / 4), 4}, at::kFloat).clone();

    cp::SecondOptions options;  // the plugin.toml defaults
    options.grid = cp::VoxelGrid::make(-38.4, 38.4, -38.4, 38.4, -3.0, 1.0, 0.1, 0.1);
    auto encoder = std::make_shared<cp::SecondEncoder>(options);
    encoder->eval();
    int64_t params = 0;
    for (const auto& p : encoder->parameters()) params += p.numel();
    at::NoGradGuard no_grad;
    concord::SensorInput input;
    input.points = {points};
    encoder->forward(input);  // warm-up

    std::vector<double> total, vox, rules, sparse, height, bev;
    int64_t voxels = 0;
    for (int r = 0; r < repeats; ++r) {
      auto t0 = clock_type::now();
      encoder->forward(input);
      total.push_back(ms_since(t0));

      t0 = clock_type::now();
      const cp::Voxels v = cp::voxelize({points}, options.grid, options.max_points_per_voxel,
                                        options.max_voxels_eval);
      cp::SparseTensor x{cp::mean_vfe(v), v.coords, encoder->spconv_block()->sparse_shape(), 1};
      vox.push_back(ms_since(t0));
      voxels = v.coords.size(0);

      t0 = clock_type::now();
      (void)cp::build_submanifold_rules(x.indices, x.spatial_shape, 1);
      (void)cp::build_strided_rules(x.indices, x.spatial_shape, 1,
                                    cp::ConvGeometry{{3, 3, 3}, {2, 2, 2}, {1, 1, 1}});
      rules.push_back(ms_since(t0));

      t0 = clock_type::now();
      const cp::SparseTensor encoded = encoder->spconv_block()->forward(x);
      sparse.push_back(ms_since(t0));

      t0 = clock_type::now();
      const at::Tensor map = cp::height_compression(encoded);
      height.push_back(ms_since(t0));

      t0 = clock_type::now();
      encoder->backbone()->forward(map);
      bev.push_back(ms_since(t0));
    }
    // Training step cost: forward + backward of sum(bev) in training mode.
    std::vector<double> train;
    {
      at::AutoGradMode grad_mode(true);
      encoder->train();
      for (int r = 0; r < repeats; ++r) {
        const auto t0 = clock_type::now();
        encoder->forward(input).bev.sum().backward();
        train.push_back(ms_since(t0));
      }
    }
    std::printf(
        "bench_second: %lld points (HDL-32E, simulator frame 0), %lld voxels, %lld parameters, "
        "%d threads\n",
        static_cast<long long>(points.size(0)), static_cast<long long>(voxels),
        static_cast<long long>(params), at::get_num_threads());
    std::printf("  forward median %.1f ms (min %.1f); training forward + backward median %.1f ms\n",
                median(total), *std::min_element(total.begin(), total.end()), median(train));
    std::printf(
        "  stages (median ms): voxelise+MeanVFE %.1f | sparse 3D backbone %.1f (of which level-0 "
        "rule books subm+strided %.1f) | HeightCompression %.1f | 2D backbone %.1f\n",
        median(vox), median(sparse), median(rules), median(height), median(bev));
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bench_second: %s\n", e.what());
    return 1;
  }
}
