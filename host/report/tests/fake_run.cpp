#include "fake_run.hpp"

#include <unistd.h>

#include <atomic>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "concord/formats/png.hpp"

namespace fs = std::filesystem;

namespace concord::report::test {

TempDir::TempDir() {
  static std::atomic<int> counter{0};
  path_ = fs::temp_directory_path() /
          ("concord_report_test_" + std::to_string(::getpid()) + "_" + std::to_string(counter++));
  fs::remove_all(path_);
  fs::create_directories(path_);
}

TempDir::~TempDir() {
  std::error_code ec;
  fs::remove_all(path_, ec);
}

void write_text(const fs::path& path, const std::string& text) {
  fs::create_directories(path.parent_path());
  std::ofstream out(path, std::ios::binary);
  out << text;
  if (!out) throw std::runtime_error("cannot write " + path.string());
}

std::string read_text(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

namespace {

void write_picture(const fs::path& path) {
  formats::Image8 image(32, 24, 3);
  for (std::size_t i = 0; i < image.data.size(); ++i) image.data[i] = static_cast<uint8_t>(i);
  fs::create_directories(path.parent_path());
  formats::write_png(path, image);
}

const char* const kHeader = "ego,collaborators,mode,pose_noise,frames,gt,ap30,ap50,ap70\n";

}  // namespace

void write_step0_only_run(const fs::path& dir) {
  write_text(dir / "step0_m1" / "eval.csv",
             std::string(kHeader) +
                 "m1,m1,no_fusion,0,40,395,0.647388,0.559415,0.313247\n"
                 "m1,m1,late_fusion,0,40,395,0.785651,0.716763,0.495282\n"
                 "m1,m1,intermediate,0,40,395,0.715263,0.671895,0.431256\n");
}

void write_full_run(const fs::path& dir) {
  write_step0_only_run(dir);
  write_text(dir / "step0_m2" / "eval.csv",
             std::string(kHeader) +
                 "m2,m2,no_fusion,0,40,390,0.193943,0.0968669,0.0242959\n"
                 "m2,m2,late_fusion,0,40,390,0.337759,0.212886,0.0474443\n"
                 "m2,m2,intermediate,0,40,390,0.307404,0.131451,0.0289757\n");
  write_text(dir / "negocollab_m1m2" / "eval.csv",
             std::string(kHeader) +
                 "m1,m1+m2,no_fusion,0,40,395,0.647388,0.559415,0.313247\n"
                 "m1,m1+m2,late_fusion,0,40,395,0.711963,0.632272,0.382631\n"
                 "m1,m1+m2,naive,0,40,395,0.693075,0.586122,0.34877\n"
                 "m1,m1+m2,negocollab,0,40,395,0.716394,0.595845,0.374003\n"
                 "m2,m1+m2,no_fusion,0,40,395,0.191488,0.0956407,0.0239884\n"
                 "m2,m1+m2,late_fusion,0,40,395,0.540369,0.490389,0.275187\n"
                 "m2,m1+m2,naive,0,40,395,0.168606,0.0782288,0.0221927\n"
                 "m2,m1+m2,negocollab,0,40,395,0.192558,0.140709,0.0382226\n");
  write_text(dir / "stamp_m1m2" / "eval.csv",
             std::string(kHeader) +
                 "m1,m1+m2,no_fusion,0,40,395,0.647388,0.559415,0.313247\n"
                 "m1,m1+m2,naive,0,40,395,0.690000,0.581000,0.340000\n"
                 "m1,m1+m2,stamp,0,40,395,0.702000,0.611000,0.361000\n"
                 "m2,m1+m2,no_fusion,0,40,395,0.191488,0.0956407,0.0239884\n"
                 "m2,m1+m2,stamp,0,40,395,0.301000,0.222000,0.101000\n");
  // A one-to-one baseline: its mode is "<factory>_o2o" (AllianceManifest::method).
  write_text(dir / "pnpda_o2o_m1m2" / "eval.csv",
             std::string(kHeader) +
                 "m1,m1+m2,no_fusion,0,40,395,0.647388,0.559415,0.313247\n"
                 "m1,m1+m2,pnpda_o2o,0,40,395,0.680000,0.580000,0.330000\n");
  write_text(dir / "noise_m1m2" / "eval.csv",
             std::string(kHeader) +
                 "m1,m1+m2,late_fusion,0,40,395,0.711963,0.632272,0.382631\n"
                 "m1,m1+m2,negocollab,0,40,395,0.716394,0.595845,0.374003\n"
                 "m1,m1+m2,late_fusion,0.2,40,395,0.650000,0.540000,0.300000\n"
                 "m1,m1+m2,negocollab,0.2,40,395,0.690000,0.571000,0.350000\n"
                 "m1,m1+m2,late_fusion,0.4,40,395,0.550000,0.433000,0.200000\n"
                 "m1,m1+m2,negocollab,0.4,40,395,0.650000,0.524000,0.310000\n");
  write_text(dir / "kl_gap.csv",
             "agent,representation,kl\n"
             "m1,negotiated,0.120\n"
             "m1,protocol,0.410\n"
             "m3,negotiated,0.250\n"
             "m3,protocol,0.875\n");
  write_text(dir / "costs.csv",
             "method,trainable_parameters,wire_bytes_fp32,wire_bytes_wire,train_seconds\n"
             "negocollab,1234567,4194304,1048576,3600.5\n"
             "stamp,654321,4194304,2097152,1800\n");
  write_text(dir / "stages.csv",
             "stage,status,seconds\n"
             "step0_m1,done,1200.25\n"
             "negotiate,done,600.5\n"
             "eval,skipped,0\n");
  write_picture(dir / "negocollab_m1m2" / "pictures" / "negocollab_s0_000070.png");
  write_picture(dir / "step0_m1" / "pictures" / "intermediate_s0_000070.png");
}

}  // namespace concord::report::test
