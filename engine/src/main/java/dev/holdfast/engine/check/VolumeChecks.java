package dev.holdfast.engine.check;

import dev.holdfast.engine.check.InstanceState.ContainerView;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/** Volume references belong to records and name volumes that exist; no volume creation or removal is half done. */
final class VolumeChecks {
    private VolumeChecks() {}

    static List<Violation> check(InstanceState s) {
        List<Violation> found = new ArrayList<>();
        Set<String> records = s.containers().stream().map(ContainerView::id).collect(Collectors.toSet());
        for (Path dir : s.halfDoneVolumeDirs()) {
            found.add(new Violation("a volume whose creation or removal did not finish", dir.toString()));
        }
        for (Map.Entry<String, List<String>> refs : s.volumeRefs().entrySet()) {
            String file = s.dataRoot() + "/mounts/" + refs.getKey() + ".json";
            if (!records.contains(refs.getKey())) {
                found.add(new Violation("the mounts of a container no record has", file));
                continue;
            }
            for (String volume : refs.getValue()) {
                if (!s.volumes().contains(volume)) {
                    found.add(new Violation("container " + refs.getKey() + " mounts volume " + volume
                            + ", which does not exist", file));
                }
            }
        }
        return found;
    }
}
