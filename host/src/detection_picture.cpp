#include "detection_picture.hpp"

#include <ATen/ATen.h>

#include <cstring>

#include "concord/viz/bev.hpp"

namespace concord::host {

namespace {

std::vector<formats::Box7> to_box7(const at::Tensor& boxes) {
  std::vector<formats::Box7> out;
  if (!boxes.defined() || boxes.size(0) == 0) return out;
  const at::Tensor b = boxes.to(at::kDouble).contiguous();
  const double* p = b.data_ptr<double>();
  for (int64_t i = 0; i < b.size(0); ++i, p += 7) {
    out.push_back(formats::Box7{p[0], p[1], p[2], p[3], p[4], p[5], p[6]});
  }
  return out;
}

Eigen::Matrix4d to_eigen(const at::Tensor& t) {
  const at::Tensor d = t.to(at::kDouble).contiguous();
  Eigen::Matrix4d m;
  for (int r = 0; r < 4; ++r) {
    for (int c = 0; c < 4; ++c) m(r, c) = d[r][c].item<double>();
  }
  return m;
}

}  // namespace

void save_detection_picture(const std::filesystem::path& path, const loader::CollabSample& sample,
                            const at::Tensor& boxes, double half_extent_m) {
  viz::BevOptions o;
  o.x_min = o.y_min = -half_extent_m;
  o.x_max = o.y_max = half_extent_m;
  o.resolution = 0.1;
  viz::BevImage bev(o);
  for (std::size_t k = 0; k < sample.agents.size(); ++k) {
    const auto& agent = sample.agents[k];
    const viz::Rgb color = o.agent_colors[k % o.agent_colors.size()];
    const Eigen::Matrix4d ego_from_agent = to_eigen(agent.ego_from_agent);
    if (!agent.input.points.empty() && agent.input.points.front().defined()) {
      const at::Tensor pts = agent.input.points.front().narrow(1, 0, 3).to(at::kDouble);
      const at::Tensor t = agent.ego_from_agent.to(at::kDouble);
      const at::Tensor ego_pts =
          (pts.matmul(t.narrow(0, 0, 3).narrow(1, 0, 3).t()) + t.narrow(0, 0, 3).select(1, 3))
              .to(at::kFloat)
              .contiguous();
      formats::PointMatrix m(ego_pts.size(0), 3);
      std::memcpy(m.data(), ego_pts.data_ptr<float>(), sizeof(float) * ego_pts.numel());
      viz::draw_points(bev, m, color, o.point_size);
    }
    viz::draw_agent(bev, ego_from_agent, color, o.arrow_length_m);
  }
  viz::draw_boxes(bev, to_box7(sample.gt_boxes), o.gt_color, o.box_thickness);
  viz::draw_boxes(bev, to_box7(boxes), viz::Rgb{255, 40, 40}, 2);
  viz::draw_scale_bar(bev, o.scale_bar_m);
  const std::filesystem::path tmp = path.string() + ".tmp";
  viz::save_png(tmp, bev);
  std::filesystem::rename(tmp, path);
}

}  // namespace concord::host
