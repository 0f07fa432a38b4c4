#pragma once
/// \file
/// The heterogeneous-collaboration table `concord demo` prints: AP@0.5 per
/// (collaborating agent types, ego) row and per method column, read from the
/// eval.csv files `concord eval` writes (the NegoCollab paper's Table 1 layout).

#include <filesystem>
#include <string>
#include <vector>

namespace concord::host {

/// A Markdown table of AP@0.5 at pose noise 0 from `evals` (files with the
/// header ego,collaborators,mode,pose_noise,frames,gt,ap30,ap50,ap70). Method
/// columns in the order no_fusion, late_fusion, naive, negocollab, then the
/// others as first seen; rows in order of first appearance; "–" where a method
/// was not evaluated. Reads with report::read_eval_csv; throws its
/// concord::formats::FormatError naming the file and line of a malformed row.
std::string hetero_summary_markdown(const std::vector<std::filesystem::path>& evals);

}  // namespace concord::host
