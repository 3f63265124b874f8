// The systemd_units table: systemd's units, as osquery's systemd_units.
//   Live host with systemd as init (/run/systemd/system exists, sd_booted()'s
//   test): systemd's own list over D-Bus (ListUnits plus the UnitFileState,
//   FragmentPath, SourcePath and, for services, User properties, each fetched
//   only when selected). If systemd is running but cannot be reached, the
//   query fails with the reason rather than pretending there are no units.
//   Live host without systemd as init (containers, sandboxes): zero rows.
//   --root image or fixture tree: the offline unit-file view described in
//   systemd_unit_files.cc (every unit "inactive"/"dead").
// See systemd_unit_sources.h for how sd-bus is loaded.
#include "tables/file_tables.h"
#include "tables/systemd_unit_sources.h"

namespace warden {

void RegisterSystemdUnitsTable(TableRegistry& r) {
  auto text = [](const char* name, const char* description) {
    return Column{name, ColumnType::kText, kNone, "", description};
  };
  r.Add(
      TableSchema{
          "systemd_units",
          "Track systemd units.",
          {text("id", "Unique unit identifier"),
           text("description", "Unit description"),
           text("load_state", "Reflects whether the unit definition was properly loaded"),
           text("active_state", "The high-level unit activation state, i.e. generalization of SUB"),
           text("sub_state", "The low-level unit activation state, values depend on unit type"),
           text("unit_file_state",
                "Whether the unit file is enabled, e.g. `enabled`, `masked`, `disabled`, etc"),
           text("following", "The name of another unit that this unit follows in state"),
           text("object_path", "The object path for this unit"),
           {"job_id", ColumnType::kBigInt, kNone, "", "Next queued job id"},
           text("job_type", "Job type"),
           text("job_path", "The object path for the job"),
           text("fragment_path", "The unit file path this unit was read from, if there is any"),
           text("user", "The configured user, if any"),
           text("source_path",
                "Path to the (possibly generated) unit configuration file, if any")}},
      [](const QueryContext& ctx, RowWriter& out) -> Status {
        auto cancelled = [&ctx] { return ctx.Cancelled(); };
        std::vector<SystemdUnit> units;
        if (!ctx.fs().is_live()) {
          units = ListUnitFiles(ctx.fs(), cancelled);
        } else if (!ctx.fs().IsDirectory("/run/systemd/system")) {
          return Status::Ok();  // systemd is not the init system here
        } else {
          SystemdUnitProperties wanted{ctx.IsUsed("unit_file_state"), ctx.IsUsed("fragment_path"),
                                       ctx.IsUsed("source_path"), ctx.IsUsed("user")};
          ASSIGN_OR_RETURN(units, ListUnitsOverBus(wanted, cancelled));
        }
        for (SystemdUnit& unit : units) {
          Row& row = out.Add();
          row.Set("id", std::move(unit.id));
          row.Set("description", std::move(unit.description));
          row.Set("load_state", std::move(unit.load_state));
          row.Set("active_state", std::move(unit.active_state));
          row.Set("sub_state", std::move(unit.sub_state));
          if (unit.unit_file_state) row.Set("unit_file_state", std::move(*unit.unit_file_state));
          row.Set("following", std::move(unit.following));
          row.Set("object_path", std::move(unit.object_path));
          row.Set("job_id", unit.job_id);
          row.Set("job_type", std::move(unit.job_type));
          row.Set("job_path", std::move(unit.job_path));
          if (unit.fragment_path) row.Set("fragment_path", std::move(*unit.fragment_path));
          if (unit.user) row.Set("user", std::move(*unit.user));
          if (unit.source_path) row.Set("source_path", std::move(*unit.source_path));
        }
        return Status::Ok();
      });
}

}  // namespace warden
