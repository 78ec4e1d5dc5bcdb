package io.fusionpipe.notebook;

import org.dflib.jjava.jupyter.kernel.BaseKernel;
import org.dflib.jjava.jupyter.kernel.display.DisplayData;

import java.util.Base64;
import java.util.List;

/**
 * Rich output for notebook cells: HTML (tables, Fusionpipe's SVG charts) and images go to the
 * running kernel's display; outside a kernel (a plain JShell, a test) the text alternative is printed.
 */
public final class Show {

    private Show() {
    }

    /** Shows {@code html}, with {@code text} for plain-text front ends. */
    public static void html(String html, String text) {
        BaseKernel kernel;
        try {
            kernel = BaseKernel.notebookKernel();
        } catch (RuntimeException e) { // JJava throws when no kernel runs in this JVM
            kernel = null;
        }
        if (kernel == null) {
            System.out.println(text);
            return;
        }
        DisplayData d = new DisplayData(text);
        d.putData("text/html", html);
        kernel.display(d);
    }

    /** A table: a header row and rows of cells (escaped; numbers shown as given). */
    public static void table(List<String> header, List<List<?>> rows) {
        StringBuilder h = new StringBuilder("<table><thead><tr>");
        StringBuilder t = new StringBuilder(String.join("\t", header)).append('\n');
        header.forEach(c -> h.append("<th>").append(escape(c)).append("</th>"));
        h.append("</tr></thead><tbody>");
        for (List<?> row : rows) {
            h.append("<tr>");
            for (Object c : row) {
                h.append("<td>").append(escape(String.valueOf(c))).append("</td>");
                t.append(c).append('\t');
            }
            h.append("</tr>");
            t.append('\n');
        }
        html(h.append("</tbody></table>").toString(), t.toString());
    }

    /** An image from encoded bytes (PNG or JPEG), {@code width} CSS pixels wide, with a caption under it. */
    public static String figure(byte[] image, int width, String caption) {
        String mime = image.length > 3 && (image[0] & 0xff) == 0x89 ? "image/png" : "image/jpeg";
        return "<figure style=\"display:inline-block;width:" + width + "px;margin:4px;vertical-align:top\"><img style=\"width:" + width
                + "px\" src=\"data:" + mime + ";base64," + Base64.getEncoder().encodeToString(image) + "\"><figcaption style=\"font-size:11px\">"
                + escape(caption) + "</figcaption></figure>";
    }

    public static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
