// The on-disk store of frozen local representations (local_store.hpp): its file
// format round-trips dtype, sizes and layout; a damaged file reads as absent and is
// recomputed; a store folder is named by the checkpoint bytes and the dataset; the
// encode tag follows the detector's precision and memory format.
#include <ATen/ATen.h>
#include <gtest/gtest.h>

#include <fstream>

#include "concord/pipeline/local_store.hpp"
#include "concord/precision.hpp"
#include "constant_detector.hpp"

namespace {

namespace cp = concord::pipeline;
namespace fs = std::filesystem;
using concord::test::TempDir;

TEST(LocalStoreFile, RoundTripsDtypeSizesAndLayout) {
  TempDir dir;
  const at::Tensor fp32 = at::randn({1, 3, 4, 5});
  const at::Tensor bf16 =
      at::randn({1, 6, 4, 4}).to(at::kBFloat16).contiguous(at::MemoryFormat::ChannelsLast);
  cp::write_local_file(dir.path() / "a" / "fp32.bin", fp32);
  cp::write_local_file(dir.path() / "bf16.bin", bf16);
  const auto a = cp::read_local_file(dir.path() / "a" / "fp32.bin");
  const auto b = cp::read_local_file(dir.path() / "bf16.bin");
  ASSERT_TRUE(a && b);
  EXPECT_EQ(a->scalar_type(), at::kFloat);
  EXPECT_TRUE(a->equal(fp32));
  EXPECT_EQ(b->scalar_type(), at::kBFloat16);
  EXPECT_EQ(b->strides(), bf16.strides());  // still channels_last
  EXPECT_TRUE(b->equal(bf16));
  // Header: magic 4 + version 4 + dtype 4 + rank 4 + 4 sizes and 4 strides (8 each)
  // + byte count 8, then 60 floats.
  EXPECT_EQ(fs::file_size(dir.path() / "a" / "fp32.bin"), 4u + 4 + 4 + 4 + 64 + 8 + 60 * 4);
  EXPECT_FALSE(fs::exists(dir.path() / "bf16.bin.tmp"));
}

TEST(LocalStoreFile, AbsentTruncatedOrForeignFilesReadAsAbsent) {
  TempDir dir;
  EXPECT_FALSE(cp::read_local_file(dir.path() / "missing.bin"));
  const fs::path f = dir.path() / "x.bin";
  cp::write_local_file(f, at::ones({2, 8}));
  ASSERT_TRUE(cp::read_local_file(f));
  fs::resize_file(f, fs::file_size(f) - 4);  // the last float cut off
  EXPECT_FALSE(cp::read_local_file(f));
  concord::test::write_file(f, "not a tensor file at all, but long enough to hold a header");
  EXPECT_FALSE(cp::read_local_file(f));
}

TEST(LocalStoreFile, RefusesATensorThatIsNotDense) {
  TempDir dir;
  const at::Tensor strided = at::ones({4, 4}).narrow(1, 0, 2);  // every other pair skipped
  try {
    cp::write_local_file(dir.path() / "s.bin", strided);
    FAIL() << "a non-dense tensor was written";
  } catch (const concord::Error& e) {
    EXPECT_NE(std::string(e.what()).find("s.bin: a local representation must be a dense"),
              std::string::npos)
        << e.what();
  }
}

TEST(LocalStore, ComputesOnceThenReadsAndRecomputesADamagedEntry) {
  TempDir dir;
  int calls = 0;
  const auto compute = [&] {
    ++calls;
    return at::full({1, 2, 3, 3}, 1.5f);
  };
  cp::LocalStore first(dir.path() / "store");
  const at::Tensor computed = first.get_or_compute("fp32", "s1", "000001", "7", compute);
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(first.misses(), 1u);
  EXPECT_TRUE(computed.equal(at::full({1, 2, 3, 3}, 1.5f)));
  EXPECT_TRUE(first.contains("fp32", "s1", "000001", "7"));
  EXPECT_FALSE(first.contains("bf16", "s1", "000001", "7"));  // tags are separate entries
  cp::LocalStore second(dir.path() / "store");                // another process on the same folder
  const at::Tensor again = second.get_or_compute("fp32", "s1", "000001", "7", compute);
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(second.hits(), 1u);
  EXPECT_TRUE(again.equal(at::full({1, 2, 3, 3}, 1.5f)));
  const fs::path f = second.file("fp32", "s1", "000001", "7");
  EXPECT_EQ(f, dir.path() / "store" / "fp32" / "s1" / "000001_7.bin");
  fs::resize_file(f, 10);
  second.get_or_compute("fp32", "s1", "000001", "7", compute);
  EXPECT_EQ(calls, 2);
  EXPECT_EQ(second.misses(), 1u);
  EXPECT_TRUE(cp::read_local_file(f));  // rewritten whole
  EXPECT_THROW(second.get_or_compute("fp32", "s2", "000001", "7",
                                     []() -> at::Tensor { throw std::runtime_error("no"); }),
               std::runtime_error);
  EXPECT_FALSE(second.contains("fp32", "s2", "000001", "7"));
}

TEST(LocalStoreDir, NamedByTheCheckpointBytesAndTheDataset) {
  TempDir dir;
  const fs::path w = dir.path() / "best.pt";
  concord::test::write_file(w, "weights A");
  cp::DataSpec data;
  data.root = dir.path() / "dataset";
  const fs::path a = cp::local_store_dir(dir.path() / "locals", "step0_m1", w, data);
  EXPECT_EQ(a.parent_path(), dir.path() / "locals");
  EXPECT_EQ(a.filename().string().rfind("step0_m1-", 0), 0u) << a;
  EXPECT_EQ(a.filename().string().size(), std::string("step0_m1-").size() + 16);
  EXPECT_EQ(cp::local_store_dir(dir.path() / "locals", "step0_m1", w, data), a);
  cp::DataSpec other = data;
  other.root = dir.path() / "other";
  EXPECT_NE(cp::local_store_dir(dir.path() / "locals", "step0_m1", w, other), a);
  other = data;
  other.format = cp::DataFormat::kDairV2xC;
  EXPECT_NE(cp::local_store_dir(dir.path() / "locals", "step0_m1", w, other), a);
  fs::create_directories(data.root / "train");  // the dataset (re)written
  const fs::path b = cp::local_store_dir(dir.path() / "locals", "step0_m1", w, data);
  EXPECT_NE(b, a);
  concord::test::write_file(w, "weights B");  // retrained
  EXPECT_NE(cp::local_store_dir(dir.path() / "locals", "step0_m1", w, data), b);
  EXPECT_THROW(cp::local_store_dir(dir.path(), "step0_m1", dir.path() / "none.pt", data),
               concord::Error);
}

TEST(EncodeTag, FollowsPrecisionAndChannelsLast) {
  auto detector = concord::test::constant_detector();
  EXPECT_EQ(cp::encode_tag(*detector), "fp32");
  detector->set_precision(concord::Precision::kBf16);
  EXPECT_EQ(cp::encode_tag(*detector), "bf16");
  concord::to_channels_last(*detector);
  EXPECT_EQ(cp::encode_tag(*detector), "bf16-cl");
}

}  // namespace
