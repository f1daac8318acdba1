/**
 * POST /cloudapi/1.0.0/vdcs/{vdcId}/actions/instantiateTemplate — creates a vApp from a catalog
 * item: `{ name, description?, catalogItem: {id?, name?} | catalogItemUrn, parameters?: {KEY:
 * value} | [{name, value}], powerOn? }`. 201 with the vApp (status INSTANTIATING) and `Location`.
 * 400 BAD_REQUEST for bad input, an unknown catalog item, unknown template parameters or a
 * required one without a value, or a cluster refusal; 400 DUPLICATE_NAME for a name in use in
 * the VDC; 400 BUSY_ENTITY for a disabled or not-ready VDC; 403 when the VDC is invisible or the
 * caller may not instantiate there; 503 CLUSTER_UNAVAILABLE without a (reachable) cluster.
 */
import { defineRoute } from '#lib/http/route.ts';
import { visibleVdc } from '#lib/vdcs/visible.ts';
import { InstantiateSchema } from '#lib/vapps/schema.ts';
import { instantiate } from '#lib/vapps/instantiate.ts';
import { renderVapp } from '#lib/vapps/render.ts';
import { vappHref } from '#lib/views/vapp.ts';
import { baseUrl } from '#lib/views/common.ts';

export default defineRoute({ summary: 'Instantiate a template into a vApp', params: { vdcId: 'vdc' }, body: InstantiateSchema }, async function instantiateTemplate(c, { params, body }) {
  const id = await instantiate(c, visibleVdc(c, params.vdcId), body);
  return c.json(renderVapp(c, id), 201, { Location: vappHref(baseUrl(c), id) });
});
