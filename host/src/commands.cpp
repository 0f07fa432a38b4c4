#include "command.hpp"

namespace concord::host {

std::vector<Command> all_commands() {
  return {
      {"plugins", "list plugins from their manifests, or load and inspect one", run_plugins},
      {"config", "check configuration files against the schema and plugin parameter specs",
       run_config},
      {"simulate", "ray-cast the embedded benchmark into an OPV2V-H dataset", run_simulate},
      {"train", "train an agent type's collaborative detector (Step 0), resumable", run_train},
      {"eval", "AP@0.3/0.5/0.7 for no fusion, late fusion and intermediate fusion", run_eval},
      {"negotiate",
       "NegoCollab stage 1: negotiate the common representation of an alliance, resumable",
       run_negotiate},
      {"adapt", "NegoCollab stage 2: adapt the alliance's receivers to the task, resumable",
       run_adapt},
      {"join", "NegoCollab: a new agent type joins a frozen alliance (align + adapt), resumable",
       run_join},
      {"kl-gap", "KL domain gap of each member's local and sent features to the common one",
       run_kl_gap},
      {"costs", "trainable parameters, bytes per message and training time of a method's run",
       run_costs},
      {"demo",
       "the main job in minutes from shipped Step-0 checkpoints: negotiate, adapt, join, "
       "baseline, eval",
       run_demo},
      {"reproduce", "every stage from scratch (--profile default|paper) and the report, resumable",
       run_reproduce},
      {"export", "write a compact (fp16, int8 or int4) copy of a Step-0 checkpoint for shipping",
       run_export},
      {"report", "a Markdown report with AP tables and PNG figures (PLplot) from a run directory",
       run_report},
      {"render", "draw a dataset frame: BEV points, boxes and poses; camera views with boxes",
       run_render},
      {"version", "print the version, plugin ABI, build fingerprint and runtime settings",
       run_version},
  };
}

}  // namespace concord::host
