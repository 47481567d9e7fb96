package dev.holdfast.engine.image;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * One image of a docker-save archive, checked before anything is unpacked: its config parses, its tags are
 * valid {@code name:tag} references, its manifest lists as many layers as the config has diff ids.
 *
 * @param id sha256 of {@code config}, the image id
 */
record ArchiveImage(String id, byte[] config, ImageDocument document, List<ImageReference> repoTags,
        List<String> layers) {

    static ArchiveImage read(SaveArchive saved, SaveArchive.Entry entry) throws IOException {
        byte[] config = saved.read(entry.config());
        ImageDocument document = ImageDocument.parse(config);
        if (!document.os().isEmpty() && !document.os().equals("linux")) {
            throw ImageException.invalid(
                    "image operating system \"" + document.os() + "\" cannot be used on this platform");
        }
        if (document.diffIds().size() != entry.layers().size()) {
            throw ImageException.invalid("invalid manifest, layers length mismatch: expected "
                    + document.diffIds().size() + ", got " + entry.layers().size());
        }
        List<ImageReference> tags = new ArrayList<>();
        for (String repoTag : entry.repoTags()) {
            ImageReference reference;
            try {
                reference = ImageReference.parse(repoTag);
            } catch (ImageReference.InvalidReferenceException e) {
                throw ImageException.invalid(e.getMessage());
            }
            if (reference.tag() == null || reference.digest() != null) {
                throw ImageException.invalid("invalid tag \"" + repoTag + "\"");
            }
            tags.add(reference);
        }
        return new ArchiveImage(ImageStore.sha256(config), config, document, List.copyOf(tags), entry.layers());
    }

    /** Leases the layers in order from {@code store}, each unpacked (unless present) and checked against its diff id. */
    void leaseLayers(SaveArchive saved, LayerStore store, List<LayerStore.Layer> leased) throws IOException {
        for (int i = 0; i < layers.size(); i++) {
            String blob = layers.get(i);
            String parent = leased.isEmpty() ? null : leased.get(leased.size() - 1).chainId();
            try {
                leased.add(store.lease(parent, document.diffIds().get(i), () -> saved.open(blob), "layer " + i));
            } catch (IOException e) {
                throw ImageException.invalid("error applying layer " + blob + ": " + e.getMessage());
            }
        }
    }
}
