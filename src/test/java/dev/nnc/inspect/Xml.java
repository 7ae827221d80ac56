package dev.nnc.inspect;

import java.io.StringReader;
import java.util.ArrayList;
import java.util.List;
import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;
import org.xml.sax.InputSource;

/** Strict XML parsing of SVG and of nnc's XHTML pages, without fetching DTDs. */
final class Xml {
    private Xml() {}

    static Document parse(String text) throws Exception {
        DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
        f.setNamespaceAware(true);
        f.setValidating(false);
        f.setFeature("http://apache.org/xml/features/nonvalidating/load-external-dtd", false);
        f.setFeature("http://xml.org/sax/features/external-general-entities", false);
        DocumentBuilder b = f.newDocumentBuilder();
        return b.parse(new InputSource(new StringReader(text)));
    }

    /** Elements with local name {@code tag} whose class attribute contains {@code cls}. */
    static List<Element> byClass(Document d, String tag, String cls) {
        List<Element> out = new ArrayList<>();
        NodeList all = d.getElementsByTagNameNS("*", tag);
        for (int i = 0; i < all.getLength(); i++) {
            Element e = (Element) all.item(i);
            for (String c : e.getAttribute("class").split("\\s+")) {
                if (c.equals(cls)) {
                    out.add(e);
                    break;
                }
            }
        }
        return out;
    }

    static List<Element> byTag(Document d, String tag) {
        List<Element> out = new ArrayList<>();
        NodeList all = d.getElementsByTagNameNS("*", tag);
        for (int i = 0; i < all.getLength(); i++) out.add((Element) all.item(i));
        return out;
    }

    static List<String> ids(List<Element> es) {
        List<String> out = new ArrayList<>();
        for (Element e : es) out.add(e.getAttribute("id"));
        return out;
    }
}
