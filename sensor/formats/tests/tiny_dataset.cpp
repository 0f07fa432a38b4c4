#include "tiny_dataset.hpp"

#include "concord/formats/data_protocol.hpp"
#include "concord/formats/opv2v_yaml.hpp"
#include "concord/formats/pcd.hpp"
#include "concord/formats/png.hpp"

#include <string>

namespace concord::formats::testing {
namespace fs = std::filesystem;

fs::path write_tiny_opv2v(const fs::path& root) {
  fs::remove_all(root);
  const fs::path sdir = root / "test" / kTinyScenario;
  ObjectAnnotation car5;
  car5.location = {10, 0, 0};
  car5.extent = {2, 1, 0.75};
  car5.angle = {0, 90, 0};
  ObjectAnnotation car7 = car5;
  car7.location = {500, 0, 0};
  ObjectAnnotation cav641 = car5;
  cav641.location = {0, 0, 0};
  cav641.angle = {0, 0, 0};

  for (const char* ts : {"000068", "000070"}) {
    const std::string t = ts;
    {
      AgentFrameMeta m;
      m.lidar_pose = {20, 0, 0, 0, 90, 0};
      m.true_ego_pos = m.lidar_pose;
      m.vehicles[5] = car5;
      m.vehicles[641] = cav641;
      fs::create_directories(sdir / "1000");
      write_agent_yaml(sdir / "1000" / (t + ".yaml"), m);
    }
    {
      AgentFrameMeta m;
      m.lidar_pose = {0, 0, 0, 0, 0, 0};
      m.true_ego_pos = m.lidar_pose;
      m.vehicles[5] = car5;
      m.vehicles[7] = car7;
      CameraMeta cam;
      cam.cords = m.lidar_pose;
      cam.intrinsic << 40, 0, 40, 0, 40, 30, 0, 0, 1;
      m.cameras[0] = cam;
      fs::create_directories(sdir / "641");
      write_agent_yaml(sdir / "641" / (t + ".yaml"), m);
    }
    {
      AgentFrameMeta m;
      m.lidar_pose = {0, 30, 0, 0, 0, 0};
      m.true_ego_pos = m.lidar_pose;
      fs::create_directories(sdir / "-1");
      write_agent_yaml(sdir / "-1" / (t + ".yaml"), m);
    }
  }
  PointMatrix pts(3, 4);
  pts << 0.5f, 0, 0, 0.1f,  //
      10, 0, 0, 0.5f,       //
      0, 5, 1, 0.9f;
  write_pcd_xyzi(sdir / "641" / "000068.pcd", pts, PcdData::kBinaryCompressed);
  write_pcd_xyzi(sdir / "641" / "000068_32.pcd", pts.bottomRows(2), PcdData::kAscii);
  write_png(sdir / "641" / "000068_camera0.png", Image8(80, 60, 3, 50));
  write_png(sdir / "641" / "000068_depth0.png", Image8(80, 60, 1, 12));
  DataProtocol p;
  p.dataset = "tiny";
  write_data_protocol(sdir / "data_protocol.yaml", p);
  return root;
}

}  // namespace concord::formats::testing
