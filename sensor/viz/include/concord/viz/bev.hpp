// Bird's-eye-view pictures of an OPV2V frame in one agent's LiDAR frame.
#pragma once

#include "concord/formats/box.hpp"
#include "concord/formats/opv2v_dataset.hpp"
#include "concord/viz/canvas.hpp"

#include <Eigen/Core>

#include <filesystem>
#include <string>
#include <vector>

namespace concord::viz {

/// Options of render_bev. The picture covers [x_min, x_max] x [y_min, y_max]
/// (m, ego LiDAR frame) at `resolution` m/px. Orientation: +x (forward) points
/// up, +y (right in CARLA's left-handed frame) points right, so the picture is
/// what a viewer above the car sees (not mirrored).
struct BevOptions {
  double x_min = -51.2, x_max = 51.2;  ///< m
  double y_min = -51.2, y_max = 51.2;  ///< m
  double resolution = 0.1;             ///< m per pixel
  Rgb background{0, 0, 0};
  /// Colour of agent k's points/arrow in Opv2vFrame::agents() order (cycled).
  std::vector<Rgb> agent_colors{{255, 160, 0},   {0, 170, 255},   {255, 60, 200},
                                {200, 200, 200}, {160, 100, 255}, {255, 255, 80}};
  Rgb gt_color{0, 255, 0};      ///< GT box outlines
  int box_thickness = 3;        ///< px
  int point_size = 1;           ///< px (square)
  int beams = 64;               ///< which point cloud per agent (64, 32, 16); missing ones skipped
  bool drop_ego_points = true;  ///< remove_ego_points before projecting (sheet §1.1)
  formats::Range6 gt_range = formats::kOpenCoodGtRange;  ///< GT filter (8 corners inside)
  double arrow_length_m = 4.0;                           ///< agent pose arrows
  double scale_bar_m = 10.0;                             ///< scale bar length; <= 0 disables it
};

/// A BEV raster plus its metric mapping. to_pixel: u = (y - y_min) / res,
/// v = (x_max - x) / res (pixel centres at integers).
class BevImage {
 public:
  /// Blank picture; width = (y_max - y_min) / res, height = (x_max - x_min) / res
  /// (rounded). Throws std::invalid_argument for a non-positive size/resolution.
  explicit BevImage(const BevOptions& options);

  const BevOptions& options() const { return options_; }
  Canvas& canvas() { return canvas_; }
  const Canvas& canvas() const { return canvas_; }
  /// The RGB image (3 channels).
  const formats::Image8& image() const { return canvas_.image(); }
  /// (u, v) of metric (x, y) in the ego frame (may lie outside the image).
  std::pair<double, double> to_pixel(double x, double y) const;

 private:
  BevOptions options_;
  Canvas canvas_;
};

/// Draws 7-value boxes [x, y, z, h, w, l, yaw] (ego frame, m/rad, hwl order as
/// OpenCOOD; sheet §1.1) as rotated rectangles (bottom-face corners) with a
/// centre-to-front heading tick. Use a distinct colour for predicted boxes.
void draw_boxes(BevImage& bev, const std::vector<formats::Box7>& boxes, Rgb color,
                int thickness = 3);

/// Draws points (N x >=2 matrix, columns x, y in the ego frame, m).
void draw_points(BevImage& bev, const formats::PointMatrix& points, Rgb color, int size = 1);

/// Draws an agent pose: disc at its origin and an arrow along its +x axis;
/// `agent_to_ego` = T_ego<-agent (4x4).
void draw_agent(BevImage& bev, const Eigen::Matrix4d& agent_to_ego, Rgb color, double length_m);

/// Draws a white metric scale bar of `meters` in the lower-left corner with its
/// length written in metres.
void draw_scale_bar(BevImage& bev, double meters);

/// Renders `frame` in agent `ego_id`'s LiDAR frame: every agent's points
/// (options.beams; agents without that cloud are skipped) coloured per agent,
/// GT boxes (Opv2vFrame::objects_in(ego_id, gt_range)) in gt_color, agent
/// poses as arrows, and a scale bar. Throws std::out_of_range for an unknown
/// agent and formats::FormatError for a malformed point cloud.
BevImage render_bev(const formats::Opv2vFrame& frame, const std::string& ego_id,
                    const BevOptions& options = {});

/// Writes the picture as an RGB PNG. Throws formats::FormatError.
void save_png(const std::filesystem::path& path, const BevImage& bev);

}  // namespace concord::viz
