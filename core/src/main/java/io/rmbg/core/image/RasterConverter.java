package io.rmbg.core.image;

import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.ComponentColorModel;
import java.awt.image.ComponentSampleModel;
import java.awt.image.DataBuffer;
import java.awt.image.DataBufferByte;
import java.awt.image.DataBufferInt;
import java.awt.image.DataBufferUShort;
import java.awt.image.DirectColorModel;
import java.awt.image.IndexColorModel;
import java.awt.image.SampleModel;
import java.awt.image.SinglePixelPackedSampleModel;
import java.awt.image.WritableRaster;
import java.util.Arrays;

/**
 * Turns whatever {@link BufferedImage} a reader returns into packed ARGB by reading its data buffer
 * directly; {@code getRGB} makes colour-model calls per pixel, several times slower.
 *
 * <p>Samples of RGB and grey images are taken as they are stored, as sRGB: an embedded ICC profile
 * is not applied (the output PNG carries none either), and 8/16-bit grey is not run through Java's
 * linear-grey conversion, which would brighten it.
 */
final class RasterConverter {

    private RasterConverter() {}

    static RasterImage toRaster(BufferedImage image) {
        ColorModel cm = image.getColorModel();
        WritableRaster raster = image.getRaster();
        SampleModel sm = raster.getSampleModel();
        DataBuffer buffer = raster.getDataBuffer();
        if (cm instanceof IndexColorModel icm) {
            return fromIndexed(raster, icm);
        }
        if (cm instanceof ComponentColorModel
                && !cm.isAlphaPremultiplied()
                && isRgbOrGrey(cm.getColorSpace())
                && sm instanceof ComponentSampleModel csm
                && singleBank(csm)
                && hasComponentBits(cm, buffer)) {
            return fromComponents(raster, csm, cm);
        }
        if (cm instanceof DirectColorModel dcm
                && !dcm.isAlphaPremultiplied()
                && dcm.getColorSpace().isCS_sRGB()
                && dcm.getRedMask() == 0xFF0000
                && dcm.getGreenMask() == 0xFF00
                && dcm.getBlueMask() == 0xFF
                && (dcm.getAlphaMask() == 0 || dcm.getAlphaMask() == 0xFF000000)
                && sm instanceof SinglePixelPackedSampleModel sppsm
                && buffer instanceof DataBufferInt ints) {
            return fromPackedInts(raster, sppsm, ints, dcm.hasAlpha());
        }
        return viaColourModel(image);
    }

    private static boolean isRgbOrGrey(ColorSpace cs) {
        return cs.getType() == ColorSpace.TYPE_RGB || cs.getType() == ColorSpace.TYPE_GRAY;
    }

    /** 8 bits per component in bytes or 16 in shorts: the two layouts the fast path scales. */
    private static boolean hasComponentBits(ColorModel cm, DataBuffer buffer) {
        int bits;
        if (buffer instanceof DataBufferByte) {
            bits = 8;
        } else if (buffer instanceof DataBufferUShort) {
            bits = 16;
        } else {
            return false;
        }
        for (int size : cm.getComponentSize()) {
            if (size != bits) {
                return false;
            }
        }
        return true;
    }

    private static boolean singleBank(ComponentSampleModel sm) {
        for (int bank : sm.getBankIndices()) {
            if (bank != 0) {
                return false;
            }
        }
        return true;
    }

    /** Offset of pixel (0,0) in the bank, allowing for child rasters and buffer offsets. */
    private static int origin(WritableRaster r, int pixelStride, int scanlineStride) {
        return r.getDataBuffer().getOffset()
                + (r.getMinX() - r.getSampleModelTranslateX()) * pixelStride
                + (r.getMinY() - r.getSampleModelTranslateY()) * scanlineStride;
    }

    private static RasterImage fromComponents(
            WritableRaster r, ComponentSampleModel sm, ColorModel cm) {
        int w = r.getWidth();
        int h = r.getHeight();
        int bands = cm.getNumComponents(); // colour components, then alpha
        boolean grey = cm.getNumColorComponents() == 1;
        boolean alpha = cm.hasAlpha();
        int[] offsets = sm.getBandOffsets();
        int stride = sm.getPixelStride();
        int scan = sm.getScanlineStride();
        int base = origin(r, stride, scan);
        // Sample i of colour component c: grey repeats band 0 for red, green and blue.
        int oR = offsets[0];
        int oG = grey ? offsets[0] : offsets[1];
        int oB = grey ? offsets[0] : offsets[2];
        int oA = alpha ? offsets[bands - 1] : -1;
        int[] out = new int[w * h];
        DataBuffer buffer = r.getDataBuffer();
        if (buffer instanceof DataBufferByte bytes) {
            byte[] d = bytes.getData();
            for (int y = 0; y < h; y++) {
                int p = base + y * scan;
                int o = y * w;
                for (int x = 0; x < w; x++, p += stride) {
                    int a = alpha ? d[p + oA] & 0xFF : 0xFF;
                    out[o + x] =
                            (a << 24)
                                    | ((d[p + oR] & 0xFF) << 16)
                                    | ((d[p + oG] & 0xFF) << 8)
                                    | (d[p + oB] & 0xFF);
                }
            }
        } else {
            short[] d = ((DataBufferUShort) buffer).getData();
            for (int y = 0; y < h; y++) {
                int p = base + y * scan;
                int o = y * w;
                for (int x = 0; x < w; x++, p += stride) {
                    int a = alpha ? to8(d[p + oA]) : 0xFF;
                    out[o + x] =
                            (a << 24)
                                    | (to8(d[p + oR]) << 16)
                                    | (to8(d[p + oG]) << 8)
                                    | to8(d[p + oB]);
                }
            }
        }
        return new RasterImage(w, h, out, alpha);
    }

    /** 16-bit to 8-bit with rounding, so 0xFFFF maps to 255 and mid-tones do not drift darker. */
    private static int to8(short sample) {
        return ((sample & 0xFFFF) * 255 + 32767) / 65535;
    }

    private static RasterImage fromPackedInts(
            WritableRaster r,
            SinglePixelPackedSampleModel sm,
            DataBufferInt buffer,
            boolean alpha) {
        int w = r.getWidth();
        int h = r.getHeight();
        int scan = sm.getScanlineStride();
        int base = origin(r, 1, scan);
        int[] d = buffer.getData();
        int[] out = new int[w * h];
        for (int y = 0; y < h; y++) {
            System.arraycopy(d, base + y * scan, out, y * w, w);
        }
        if (!alpha) {
            for (int i = 0; i < out.length; i++) {
                out[i] |= 0xFF000000;
            }
        }
        return new RasterImage(w, h, out, alpha);
    }

    /**
     * Palette images (GIF, palette PNG, low-depth grey PNG, 8-bit BMP). The palette is padded to
     * every index the sample size allows, so a corrupt index yields black, not an exception.
     */
    private static RasterImage fromIndexed(WritableRaster r, IndexColorModel icm) {
        int w = r.getWidth();
        int h = r.getHeight();
        int bits = Math.min(r.getSampleModel().getSampleSize(0), 16);
        int[] palette = new int[Math.max(icm.getMapSize(), 1 << bits)];
        Arrays.fill(palette, 0xFF000000);
        icm.getRGBs(palette);
        int[] out = new int[w * h];
        SampleModel sm = r.getSampleModel();
        if (sm instanceof ComponentSampleModel csm
                && r.getDataBuffer() instanceof DataBufferByte bytes
                && csm.getNumBands() == 1) {
            byte[] d = bytes.getData();
            int stride = csm.getPixelStride();
            int scan = csm.getScanlineStride();
            int base = origin(r, stride, scan) + csm.getBandOffsets()[0];
            for (int y = 0; y < h; y++) {
                int p = base + y * scan;
                int o = y * w;
                for (int x = 0; x < w; x++, p += stride) {
                    out[o + x] = palette[d[p] & 0xFF];
                }
            }
        } else {
            int[] row = new int[w];
            for (int y = 0; y < h; y++) {
                r.getSamples(r.getMinX(), r.getMinY() + y, w, 1, 0, row);
                int o = y * w;
                for (int x = 0; x < w; x++) {
                    out[o + x] = palette[row[x]];
                }
            }
        }
        return new RasterImage(w, h, out, icm.hasAlpha());
    }

    /**
     * Rare layouts (565 BMP, premultiplied, CMYK JPEG): the colour model converts each pixel. Slow,
     * but exact by the model's own definition.
     */
    private static RasterImage viaColourModel(BufferedImage image) {
        int w = image.getWidth();
        int h = image.getHeight();
        int[] out = image.getRGB(0, 0, w, h, new int[w * h], 0, w);
        return new RasterImage(w, h, out, image.getColorModel().hasAlpha());
    }
}
