#include "concord/driver/plan.hpp"

#include <toml++/toml.h>

#include <regex>
#include <set>

#include "concord/error.hpp"

namespace concord::driver {

namespace fs = std::filesystem;

namespace {

std::string where(const fs::path& file, const toml::node* node, const std::string& key) {
  std::string s = file.string();
  if (node && node->source().begin) {
    s += ":" + std::to_string(node->source().begin.line);
  }
  return s + ": " + key;
}

std::string replace_all(std::string s, const std::string& key, const std::string& value) {
  for (size_t at = s.find(key); at != std::string::npos; at = s.find(key, at + value.size()))
    s.replace(at, key.size(), value);
  return s;
}

std::string required_string(const toml::table& t, const std::string& key, const fs::path& file,
                            const std::string& prefix) {
  const toml::node* n = t.get(key);
  if (!n) throw ConfigError(where(file, &t, prefix + key) + ": missing (expected a string)");
  if (!n->is_string()) throw ConfigError(where(file, n, prefix + key) + ": expected a string");
  return n->value_or(std::string());
}

std::vector<std::string> string_list(const toml::table& t, const std::string& key,
                                     const fs::path& file, const std::string& prefix) {
  std::vector<std::string> out;
  const toml::node* n = t.get(key);
  if (!n) return out;
  const toml::array* a = n->as_array();
  if (!a) throw ConfigError(where(file, n, prefix + key) + ": expected an array of strings");
  for (const toml::node& el : *a) {
    if (!el.is_string())
      throw ConfigError(where(file, &el, prefix + key) + ": expected an array of strings");
    out.push_back(el.value_or(std::string()));
  }
  return out;
}

}  // namespace

Plan load_plan(const fs::path& file, const fs::path& run_dir_override,
               const std::map<std::string, std::string>& vars) {
  toml::table root;
  try {
    root = toml::parse_file(file.string());
  } catch (const toml::parse_error& e) {
    throw ConfigError(file.string() + ":" + std::to_string(e.source().begin.line) + ": " +
                      std::string(e.description()));
  }
  const toml::table* profile = root["profile"].as_table();
  if (!profile) throw ConfigError(file.string() + ": [profile]: missing section");
  Plan plan;
  plan.name = required_string(*profile, "name", file, "profile.");
  plan.description = profile->get("description")
                         ? required_string(*profile, "description", file, "profile.")
                         : std::string();
  plan.run_dir = run_dir_override.empty()
                     ? fs::path(required_string(*profile, "run_dir", file, "profile."))
                     : run_dir_override;
  plan.ledger_dir = profile->get("ledger")
                        ? fs::path(required_string(*profile, "ledger", file, "profile."))
                        : plan.run_dir;
  std::map<std::string, std::string> values = vars;
  values["run"] = plan.run_dir.string();
  const auto substitute = [&](std::string s, const toml::node* at, const std::string& key) {
    for (const auto& [k, v] : values) s = replace_all(std::move(s), "{" + k + "}", v);
    const size_t open = s.find('{'), close = s.find('}', open);
    if (open != std::string::npos && close != std::string::npos)
      throw ConfigError(where(file, at, key) + ": " + s.substr(open, close - open + 1) +
                        " has no value (known: {run}" +
                        (vars.empty() ? std::string() : ", {" + vars.begin()->first + "}") + ")");
    return s;
  };

  const toml::array* stages = root["stage"].as_array();
  if (!stages || stages->empty())
    throw ConfigError(file.string() + ": [[stage]]: expected at least one stage");
  static const std::regex name_re("[a-z0-9_]+");
  std::set<std::string> seen;
  for (const toml::node& node : *stages) {
    const toml::table* t = node.as_table();
    if (!t) throw ConfigError(where(file, &node, "stage") + ": expected a table");
    Stage s;
    s.name = required_string(*t, "name", file, "stage.");
    const std::string prefix = "stage \"" + s.name + "\".";
    if (!std::regex_match(s.name, name_re))
      throw ConfigError(where(file, t, "stage.name") + ": \"" + s.name +
                        "\" must be lowercase letters, digits and _");
    if (seen.count(s.name))
      throw ConfigError(where(file, t, "stage.name") + ": \"" + s.name + "\" appears twice");
    s.summary = t->get("summary") ? required_string(*t, "summary", file, prefix) : s.name;
    for (const std::string& a : string_list(*t, "command", file, prefix))
      s.command.push_back(substitute(a, t, prefix + "command"));
    if (s.command.empty())
      throw ConfigError(where(file, t, prefix + "command") +
                        ": expected a non-empty array (a concord subcommand and its arguments)");
    for (const std::string& o : string_list(*t, "outputs", file, prefix))
      s.outputs.push_back(substitute(o, t, prefix + "outputs"));
    s.after = string_list(*t, "after", file, prefix);
    for (const std::string& a : s.after) {
      if (!seen.count(a))
        throw ConfigError(where(file, t, prefix + "after") + ": \"" + a +
                          "\" is not an earlier stage");
    }
    seen.insert(s.name);
    plan.stages.push_back(std::move(s));
  }
  if (const toml::table* summary = root["summary"].as_table()) {
    for (const std::string& e : string_list(*summary, "evals", file, "summary."))
      plan.summary_evals.push_back(substitute(e, summary, "summary.evals"));
  }
  return plan;
}

}  // namespace concord::driver
