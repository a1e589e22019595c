/** @jsxImportSource hono/jsx */
/** Create a security domain and personalise with STORE DATA: forms the page confirms before sending (client/gp-admin.ts). */

export function GpAdminSection() {
  return (
    <section class="box" id="gp-admin" aria-labelledby="gp-admin-h">
      <h2 id="gp-admin-h">Security domains and personalisation</h2>
      <form id="domain-create-form" data-admin="domain-create" data-confirm="Create security domain {aid}?">
        <label>New security domain AID <input name="aid" required pattern="[0-9A-Fa-f]{10,32}" placeholder="A00000015153504101" /></label>
        <label>Privileges <input name="privileges" placeholder="authorized-management,dap-verification" /></label>
        <button type="submit">Create security domain</button>
      </form>
      <form id="store-data-form" data-admin="store-data" data-confirm="Store this data in {aid}? An application keeps what it is given.">
        <label>Application or security domain AID <input name="aid" required pattern="[0-9A-Fa-f]{10,32}" /></label>
        <label>Data (hex) <input name="data" required /></label>
        <label>Format <select name="format"><option value="ber-tlv">BER-TLV</option><option value="dgi">DGI</option><option value="none">not stated</option></select></label>
        <button type="submit">Store data</button>
      </form>
      <p id="admin-result" class="result" role="status" aria-live="polite"></p>
    </section>
  );
}
