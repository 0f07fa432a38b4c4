#include "concord/viz/bev.hpp"

#include "concord/formats/png.hpp"
#include "concord/formats/pose.hpp"

#include <cmath>
#include <iomanip>
#include <sstream>
#include <stdexcept>

namespace concord::viz {
namespace {

int extent_px(double lo, double hi, double res) {
  if (!(res > 0.0) || !(hi > lo)) {
    throw std::invalid_argument("BevOptions: need x_max > x_min, y_max > y_min and resolution > 0");
  }
  return static_cast<int>(std::lround((hi - lo) / res));
}

}  // namespace

BevImage::BevImage(const BevOptions& options)
    : options_(options),
      canvas_(extent_px(options.y_min, options.y_max, options.resolution),
              extent_px(options.x_min, options.x_max, options.resolution), options.background) {}

std::pair<double, double> BevImage::to_pixel(double x, double y) const {
  return {(y - options_.y_min) / options_.resolution, (options_.x_max - x) / options_.resolution};
}

void draw_boxes(BevImage& bev, const std::vector<formats::Box7>& boxes, Rgb color, int thickness) {
  for (const formats::Box7& b : boxes) {
    const formats::Corners8 c = formats::box7_to_corners(b);
    std::vector<std::pair<double, double>> uv;
    for (int i = 0; i < 4; ++i) uv.push_back(bev.to_pixel(c(i, 0), c(i, 1)));
    bev.canvas().draw_polygon(uv, color, thickness);
    // Heading tick: centre -> middle of the front edge (corners 0, 1 are at +l/2).
    const auto centre = bev.to_pixel(b.x, b.y);
    const auto front = bev.to_pixel((c(0, 0) + c(1, 0)) / 2.0, (c(0, 1) + c(1, 1)) / 2.0);
    bev.canvas().draw_line(centre.first, centre.second, front.first, front.second, color,
                           std::max(1, thickness - 1));
  }
}

void draw_points(BevImage& bev, const formats::PointMatrix& points, Rgb color, int size) {
  for (Eigen::Index i = 0; i < points.rows(); ++i) {
    const auto p = bev.to_pixel(points(i, 0), points(i, 1));
    bev.canvas().stamp(static_cast<int>(std::lround(p.first)),
                       static_cast<int>(std::lround(p.second)), size, color);
  }
}

void draw_agent(BevImage& bev, const Eigen::Matrix4d& agent_to_ego, Rgb color, double length_m) {
  const Eigen::Vector4d o = agent_to_ego * Eigen::Vector4d(0, 0, 0, 1);
  const Eigen::Vector4d tip = agent_to_ego * Eigen::Vector4d(length_m, 0, 0, 1);
  const Eigen::Vector4d left =
      agent_to_ego * Eigen::Vector4d(0.7 * length_m, -0.25 * length_m, 0, 1);
  const Eigen::Vector4d right =
      agent_to_ego * Eigen::Vector4d(0.7 * length_m, 0.25 * length_m, 0, 1);
  const auto po = bev.to_pixel(o(0), o(1));
  const auto pt = bev.to_pixel(tip(0), tip(1));
  const auto pl = bev.to_pixel(left(0), left(1));
  const auto pr = bev.to_pixel(right(0), right(1));
  Canvas& cv = bev.canvas();
  const int radius = std::max(2, static_cast<int>(0.6 / bev.options().resolution));
  cv.fill_disc(static_cast<int>(std::lround(po.first)), static_cast<int>(std::lround(po.second)),
               radius, color);
  cv.draw_line(po.first, po.second, pt.first, pt.second, color, 2);
  cv.draw_line(pt.first, pt.second, pl.first, pl.second, color, 2);
  cv.draw_line(pt.first, pt.second, pr.first, pr.second, color, 2);
}

void draw_scale_bar(BevImage& bev, double meters) {
  if (!(meters > 0.0)) return;
  Canvas& cv = bev.canvas();
  const Rgb white{255, 255, 255};
  const int len = static_cast<int>(std::lround(meters / bev.options().resolution));
  const int u0 = 10;
  const int v0 = cv.height() - 12;
  cv.fill_rect(u0, v0, u0 + len, v0 + 2, white);
  cv.fill_rect(u0, v0 - 4, u0 + 1, v0 + 2, white);
  cv.fill_rect(u0 + len - 1, v0 - 4, u0 + len, v0 + 2, white);
  std::ostringstream label;
  label << std::setprecision(4) << meters << " m";
  cv.draw_text(u0, v0 - 14, label.str(), white, 2);
}

BevImage render_bev(const formats::Opv2vFrame& frame, const std::string& ego_id,
                    const BevOptions& options) {
  BevImage bev(options);
  frame.agent(ego_id);  // throws std::out_of_range for an unknown ego
  const auto& agents = frame.agents();
  const auto colour = [&](std::size_t k) {
    return options.agent_colors.empty() ? Rgb{255, 255, 255}
                                        : options.agent_colors[k % options.agent_colors.size()];
  };
  for (std::size_t k = 0; k < agents.size(); ++k) {
    if (!agents[k].has_points(options.beams)) continue;
    draw_points(bev,
                frame.points_in(agents[k].id(), ego_id, options.beams, options.drop_ego_points),
                colour(k), options.point_size);
  }
  std::vector<formats::Box7> gt;
  for (const auto& o : frame.objects_in(ego_id, options.gt_range)) gt.push_back(o.box);
  draw_boxes(bev, gt, options.gt_color, options.box_thickness);
  for (std::size_t k = 0; k < agents.size(); ++k) {
    draw_agent(bev, frame.transform(agents[k].id(), ego_id), colour(k), options.arrow_length_m);
  }
  draw_scale_bar(bev, options.scale_bar_m);
  return bev;
}

void save_png(const std::filesystem::path& path, const BevImage& bev) {
  formats::write_png(path, bev.image());
}

}  // namespace concord::viz
