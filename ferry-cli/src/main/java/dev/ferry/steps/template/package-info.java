/**
 * The template language of job specs: {@link dev.ferry.steps.template.Template} ({@code {{ … }}} expressions, parsed
 * once, rendered per row or batch into JSON-like values), {@link dev.ferry.steps.template.JsonTemplate} (a request
 * body as a tree of templates, so rendering never breaks quoting), {@link dev.ferry.steps.template.JsonPath}
 * (capture paths into answers), {@link dev.ferry.steps.template.RenderContext} and errors at the spec's
 * {@link dev.ferry.steps.template.SpecLocation}. Everything here is immutable and threadsafe.
 */
package dev.ferry.steps.template;
